using Microsoft.EntityFrameworkCore;
using Ordering.Api.Orders;

namespace Ordering.Tests;

/// <summary>
/// The platform's promise: under any load, never sell what is not there. 200 buyers race for 50 units
/// through two service instances on one database.
/// </summary>
public sealed class NoOversellTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await OrderingHost.StartAsync(infrastructure);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<(int Created, int OutOfStock, int Other)> RaceAsync(Func<int, object> order, int buyers)
    {
        var instances = new[] { _host.Instance(realServer: true), _host.Instance(realServer: true) };
        var clients = Enumerable.Range(0, buyers)
            .Select(i => instances[i % 2].CreateClient(TestTokens.Customer(Guid.CreateVersion7()))).ToList();
        using var start = new SemaphoreSlim(0);
        var attempts = clients.Select(async (client, i) =>
        {
            await start.WaitAsync();
            using var response = await OrderingHost.PlaceAsync(client, order(i));
            return response.StatusCode;
        }).ToList();
        start.Release(buyers);
        var statuses = await Task.WhenAll(attempts);
        clients.ForEach(c => c.Dispose());
        return (statuses.Count(s => s == HttpStatusCode.Created), statuses.Count(s => s == HttpStatusCode.Conflict),
            statuses.Count(s => s is not HttpStatusCode.Created and not HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Two_hundred_buyers_for_fifty_units_buy_exactly_fifty()
    {
        _host.Catalog.Set("HOT", 99m);
        using (var admin = _host.Instance().CreateClient(TestTokens.Admin()))
        {
            await OrderingHost.SetStockAsync(admin, "HOT", "berlin", 30);
            await OrderingHost.SetStockAsync(admin, "HOT", "madrid", 20);
        }

        var (created, outOfStock, other) = await RaceAsync(_ => OrderingHost.Order(("HOT", 1)), 200);

        Assert.Equal(50, created);
        Assert.Equal(150, outOfStock);
        Assert.Equal(0, other);
        await AssertStoresAgreeAsync(new() { ["HOT"] = 50 });
    }

    [Fact]
    public async Task Multi_line_orders_across_two_skus_are_all_or_nothing()
    {
        _host.Catalog.Set("LEFT", 10m);
        _host.Catalog.Set("RIGHT", 10m);
        using (var admin = _host.Instance().CreateClient(TestTokens.Admin()))
        {
            await OrderingHost.SetStockAsync(admin, "LEFT", "berlin", 50);
            await OrderingHost.SetStockAsync(admin, "RIGHT", "berlin", 30);
        }

        // Half the buyers list the skus in one order and half in the other: a lock-order deadlock would show here.
        var (created, outOfStock, other) = await RaceAsync(
            i => i % 2 == 0 ? OrderingHost.Order(("LEFT", 1), ("RIGHT", 1)) : OrderingHost.Order(("RIGHT", 1), ("LEFT", 1)), 200);

        Assert.Equal(30, created);
        Assert.Equal(170, outOfStock);
        Assert.Equal(0, other);
        await AssertStoresAgreeAsync(new() { ["LEFT"] = 30, ["RIGHT"] = 30 });
    }

    /// <summary>Inventory, reservations and the event store tell the same story, and nothing is below zero.</summary>
    private async Task AssertStoresAgreeAsync(Dictionary<string, int> soldPerSku)
    {
        var stock = await _host.QueryAsync(db => db.Stock.AsNoTracking().ToListAsync());
        var reservations = await _host.QueryAsync(db => db.Reservations.AsNoTracking().ToListAsync());
        var events = await _host.QueryAsync(db => db.Events.AsNoTracking().ToListAsync());

        Assert.All(stock, s => Assert.InRange(s.Reserved, 0, s.OnHand));
        var placed = events.Select(e => EventStore.Deserialize(e.Data)).OfType<OrderPlaced>().ToList();
        foreach (var (sku, sold) in soldPerSku)
        {
            Assert.Equal(sold, stock.Where(s => s.Sku == sku).Sum(s => s.Reserved));
            Assert.Equal(sold, reservations.Where(r => r.Sku == sku).Sum(r => r.Quantity));
            Assert.Equal(sold, placed.SelectMany(p => p.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity));
        }

        Assert.Equal(events.Count, events.Select(e => e.StreamId).Distinct().Count());
    }
}
