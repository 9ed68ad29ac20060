using System.Text.Json;
using Npgsql;
using Ordering.Api.Orders;

namespace Ordering.Tests;

/// <summary>
/// Found by the fault suite (issue 15): a transaction that takes its id first but inserts its event last must not let
/// the projector skip the event of a transaction that is still open (its position is lower, its id higher).
/// </summary>
public sealed class ProjectionOrderTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;
    private ServiceFactory<Program> _service = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(infrastructure);
        _service = _host.Instance();
        using var admin = _service.CreateClient(TestTokens.Admin()); // starts the service and its background projector
        using var ready = await admin.GetAsync(new Uri("/api/orders/projection", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.True(ready.IsSuccessStatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task An_event_committed_after_a_later_position_is_still_projected()
    {
        var ct = TestContext.Current.CancellationToken;
        var (early, late) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using var first = new NpgsqlConnection(_host.ConnectionString);
        await using var second = new NpgsqlConnection(_host.ConnectionString);
        await first.OpenAsync(ct);
        await second.OpenAsync(ct);
        await using var a = await first.BeginTransactionAsync(ct);
        await using var b = await second.BeginTransactionAsync(ct);
        await ExecuteAsync(first, a, "SELECT pg_current_xact_id()", ct);   // A takes the lower transaction id…
        await ExecuteAsync(second, b, "SELECT pg_current_xact_id()", ct);  // …B the higher one,
        await InsertPlacedAsync(second, b, late, ct);                       // B inserts first: the lower position,
        await InsertPlacedAsync(first, a, early, ct);                       // A after it: the higher position,
        await a.CommitAsync(ct);                                             // A commits while B is still open.
        await WaitForSummaryAsync(early, ct);                                // The projector has seen A's event…
        await b.CommitAsync(ct);
        await WaitForSummaryAsync(late, ct);                                 // …and must not have skipped B's.
    }

    private async Task WaitForSummaryAsync(Guid order, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await _host.QueryAsync(db => Task.FromResult(db.OrderSummaries.Any(s => s.OrderId == order))))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"order {order} was not projected within 10 s");
            await Task.Delay(50, ct);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task InsertPlacedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid order, CancellationToken ct)
    {
        var placed = new OrderPlaced(Guid.CreateVersion7(), [new OrderLine("LAMP", Guid.CreateVersion7(), "Lamp", 1, 40m, 40m)], 40m, "EUR",
            new ShippingAddress("Ada", "1 Way", null, "London", "N1", "GB"), DateTimeOffset.UtcNow.AddMinutes(15));
        await using var command = new NpgsqlCommand(
            "INSERT INTO order_events (stream_id, version, type, data, metadata, occurred_at) VALUES ($1, 1, 'OrderPlaced', $2::jsonb, '{}'::jsonb, now())",
            connection, tx);
        command.Parameters.AddWithValue(order);
        command.Parameters.AddWithValue(JsonSerializer.Serialize<OrderEvent>(placed, OrderEventJson.Default.OrderEvent));
        await command.ExecuteNonQueryAsync(ct);
    }
}
