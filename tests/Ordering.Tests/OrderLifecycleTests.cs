using Ecommerce.Testing.Hostile;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ordering.Api.Orders;

namespace Ordering.Tests;

public sealed class OrderLifecycleTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
    private OrderingHost _host = null!;
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;
    private readonly Guid _customerId = Guid.CreateVersion7();
    private HttpClient _customer = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(infrastructure);
        _service = _host.Instance(time: _time, settings: new()
        {
            ["Ordering:ReservationTtl"] = "00:15:00",
            // The background expiry loop waits on the fake clock: keep it out of the way so the test drives it.
            ["Ordering:ExpiryInterval"] = "30.00:00:00",
        });
        _admin = _service.CreateClient(TestTokens.Admin());
        _customer = _service.CreateClient(TestTokens.Customer(_customerId));
        _host.Catalog.Set("LAMP", 40m);
        await OrderingHost.SetStockAsync(_admin, "LAMP", "berlin", 5);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _customer.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<OrderResponse> PlaceAsync(int quantity = 1)
    {
        using var response = await OrderingHost.PlaceAsync(_customer, OrderingHost.Order(("LAMP", quantity)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken))!;
    }

    private async Task<(HttpStatusCode Status, OrderResponse? Order)> PostAsync(HttpClient client, string path, object? body = null)
    {
        using var response = await client.PostAsJsonAsync(path, body ?? new { }, TestContext.Current.CancellationToken);
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken) : null);
    }

    private static async Task<(HttpStatusCode Status, OrderResponse? Order)> PayAsync(HttpClient client, Guid orderId, string method = "tok_visa")
    {
        using var response = await OrderingHost.PayAsync(client, orderId, method);
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken) : null);
    }

    private Task<Inventory?> Lamp() => _admin.GetFromJsonAsync<Inventory>("/api/inventory/LAMP", TestContext.Current.CancellationToken);

    [Fact]
    public async Task Placed_paid_shipped_delivered_with_history_and_time_travel()
    {
        var order = await PlaceAsync(2);
        var placedAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("Paid", (await PayAsync(_customer, order.Id)).Order!.Status);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(_customer, $"/api/orders/{order.Id}/ship", new { trackingNumber = "T1" })).Status);
        using (var noTracking = await _admin.PostAsJsonAsync($"/api/orders/{order.Id}/ship", new { trackingNumber = "" }, TestContext.Current.CancellationToken))
        {
            await HostileInput.AssertRefusedAsync(noTracking, "trackingNumber");
        }

        Assert.Equal("Shipped", (await PostAsync(_admin, $"/api/orders/{order.Id}/ship", new { trackingNumber = "TRACK-1" })).Order!.Status);
        Assert.Equal(new Inventory("LAMP", 3, 0, 3), await Lamp()); // the units left the warehouse
        _time.Advance(TimeSpan.FromMinutes(1));
        var delivered = (await PostAsync(_admin, $"/api/orders/{order.Id}/deliver")).Order!;
        Assert.Equal("Delivered", delivered.Status);
        Assert.Equal("TRACK-1", delivered.TrackingNumber);

        var history = await _customer.GetFromJsonAsync<List<OrderHistoryEntry>>($"/api/orders/{order.Id}/history", TestContext.Current.CancellationToken);
        Assert.Equal(["OrderPlaced", "OrderPaid", "OrderShipped", "OrderDelivered"], history!.Select(h => h.Type));
        Assert.Equal([1, 2, 3, 4], history!.Select(h => h.Version));

        var asPlaced = await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{order.Id}?asOf={Uri.EscapeDataString(placedAt.AddSeconds(30).ToString("O"))}", TestContext.Current.CancellationToken);
        Assert.Equal("Placed", asPlaced!.Status);
        // The same instants written with a UTC offset (hardening round 3, defect 4: a non-zero offset was a 500).
        var asPlacedInBerlin = await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{order.Id}?asOf={Uri.EscapeDataString(placedAt.AddSeconds(30).ToOffset(TimeSpan.FromHours(2)).ToString("O"))}", TestContext.Current.CancellationToken);
        Assert.Equal("Placed", asPlacedInBerlin!.Status);
        var deliveredInNewYork = await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{order.Id}?asOf={Uri.EscapeDataString(_time.GetUtcNow().ToOffset(TimeSpan.FromHours(-5)).ToString("O"))}", TestContext.Current.CancellationToken);
        Assert.Equal("Delivered", deliveredInNewYork!.Status);
        using var before = await _customer.GetAsync(new Uri($"/api/orders/{order.Id}?asOf={Uri.EscapeDataString(placedAt.AddDays(-1).ToString("O"))}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
    }

    [Fact]
    public async Task A_customer_sees_the_role_not_the_account_of_an_admin_in_the_history_and_an_admin_sees_everything()
    {
        // Hardening round 3, class 13: the history showed a customer the shipping admin's account id and trace id.
        var adminId = Guid.CreateVersion7();
        using var admin = _service.CreateClient(TestTokens.Admin(adminId));
        var order = await PlaceAsync();
        Assert.Equal("Paid", (await PayAsync(_customer, order.Id)).Order!.Status);
        Assert.Equal("Shipped", (await PostAsync(admin, $"/api/orders/{order.Id}/ship", new { trackingNumber = "TRACK-13" })).Order!.Status);

        var seen = await _customer.GetFromJsonAsync<List<OrderHistoryEntry>>($"/api/orders/{order.Id}/history", TestContext.Current.CancellationToken);
        var shipped = seen!.Single(h => h.Type == "OrderShipped").Metadata;
        Assert.Equal("admin", shipped.GetProperty("actorRole").GetString());
        Assert.DoesNotContain(adminId.ToString(), shipped.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, shipped.GetProperty("actorId").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, shipped.GetProperty("correlationId").ValueKind);
        // Their own actions keep their own id.
        var placed = seen!.Single(h => h.Type == "OrderPlaced").Metadata;
        Assert.Equal(_customerId, placed.GetProperty("actorId").GetGuid());
        Assert.Equal("customer", placed.GetProperty("actorRole").GetString());

        var asAdmin = await _admin.GetFromJsonAsync<List<OrderHistoryEntry>>($"/api/orders/{order.Id}/history", TestContext.Current.CancellationToken);
        Assert.Equal(adminId, asAdmin!.Single(h => h.Type == "OrderShipped").Metadata.GetProperty("actorId").GetGuid());
    }

    [Fact]
    public async Task Transitions_out_of_order_are_409_and_change_nothing()
    {
        var order = await PlaceAsync();

        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(_admin, $"/api/orders/{order.Id}/ship", new { trackingNumber = "T" })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(_admin, $"/api/orders/{order.Id}/deliver")).Status);
        Assert.Equal("Cancelled", (await PostAsync(_customer, $"/api/orders/{order.Id}/cancel")).Order!.Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PayAsync(_customer, order.Id)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(_customer, $"/api/orders/{order.Id}/cancel")).Status);

        var history = await _customer.GetFromJsonAsync<List<OrderHistoryEntry>>($"/api/orders/{order.Id}/history", TestContext.Current.CancellationToken);
        Assert.Equal(["OrderPlaced", "OrderCancelled"], history!.Select(h => h.Type));
    }

    [Fact]
    public async Task Cancelling_a_paid_order_releases_its_stock()
    {
        var order = await PlaceAsync(3);
        await PayAsync(_customer, order.Id);
        Assert.Equal(3, (await Lamp())!.Reserved);

        Assert.Equal("Cancelled", (await PostAsync(_customer, $"/api/orders/{order.Id}/cancel")).Order!.Status);

        Assert.Equal(new Inventory("LAMP", 5, 0, 5), await Lamp());
    }

    [Fact]
    public async Task Unpaid_reservations_expire_and_release_stock_but_paid_ones_do_not()
    {
        var unpaid = await PlaceAsync(2);
        var paid = await PlaceAsync(1);
        await PayAsync(_customer, paid.Id);
        var expiry = _service.Services.GetRequiredService<ReservationExpiry>();
        // Paid: held, with no expiry at all; unpaid: reserved until its deadline.
        var reservations = await _host.QueryAsync(db => db.Reservations.AsNoTracking().ToListAsync());
        Assert.All(reservations.Where(r => r.OrderId == paid.Id), r => Assert.True(r.IsHeld));
        Assert.All(reservations.Where(r => r.OrderId == unpaid.Id), r => Assert.Equal(unpaid.ReservedUntil, r.ExpiresAt));
        Assert.Equal(2, reservations.Count);

        _time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, await expiry.ExpireOnceAsync(TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await expiry.ExpireOnceAsync(TestContext.Current.CancellationToken));

        var expired = await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{unpaid.Id}", TestContext.Current.CancellationToken);
        Assert.Equal("Cancelled", expired!.Status);
        Assert.Contains("expired", expired.CancellationReason, StringComparison.Ordinal);
        Assert.Equal("Paid", (await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{paid.Id}", TestContext.Current.CancellationToken))!.Status);
        Assert.Equal(new Inventory("LAMP", 5, 1, 4), await Lamp());
        // Paying after the hold expired is refused.
        Assert.Equal(HttpStatusCode.Conflict, (await PayAsync(_customer, unpaid.Id)).Status);
    }

    [Fact]
    public async Task A_declined_payment_is_402_and_the_order_stays_payable()
    {
        var order = await PlaceAsync();

        using var declined = await OrderingHost.PayAsync(_customer, order.Id, "tok_declined");
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        Assert.Contains("declined", await declined.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal("Placed", (await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{order.Id}", TestContext.Current.CancellationToken))!.Status);

        // Another card, another key: the order is still payable and is paid.
        Assert.Equal("Paid", (await PayAsync(_customer, order.Id)).Order!.Status);
    }

    [Fact]
    public async Task Another_customers_order_is_404_everywhere()
    {
        var order = await PlaceAsync();
        using var mallory = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        foreach (var path in new[] { $"/api/orders/{order.Id}", $"/api/orders/{order.Id}/history" })
        {
            using var read = await mallory.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await PayAsync(mallory, order.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(mallory, $"/api/orders/{order.Id}/cancel")).Status);
        Assert.Equal("Placed", (await _admin.GetFromJsonAsync<OrderResponse>($"/api/orders/{order.Id}", TestContext.Current.CancellationToken))!.Status);
    }

    [Fact]
    public async Task The_order_list_is_projected_from_events_with_measurable_lag()
    {
        var first = await PlaceAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await PlaceAsync();
        await PayAsync(_customer, second.Id);

        // The background projector catches up on its own; the lag endpoint shows how far behind it is.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ProjectionStatus? lag;
        while ((lag = await _admin.GetFromJsonAsync<ProjectionStatus>("/api/orders/projection", TestContext.Current.CancellationToken))!.Behind > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the projection is still {lag.Behind} events behind");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(lag.Head, lag.Checkpoint);
        Assert.Equal(3, await _host.QueryAsync(db => Task.FromResult(db.Events.Count())));
        TestContext.Current.SendDiagnosticMessage($"projection caught up {clock.ElapsedMilliseconds} ms after the last write");

        var page = await _customer.GetFromJsonAsync<OrderPage>("/api/orders?limit=1", TestContext.Current.CancellationToken);
        Assert.Equal(second.Id, page!.Items.Single().Id);
        Assert.Equal("Paid", page.Items.Single().Status);
        var next = await _customer.GetFromJsonAsync<OrderPage>($"/api/orders?limit=1&cursor={page.NextCursor}", TestContext.Current.CancellationToken);
        Assert.Equal(first.Id, next!.Items.Single().Id);

        using var strangers = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        Assert.Empty((await strangers.GetFromJsonAsync<OrderPage>("/api/orders", TestContext.Current.CancellationToken))!.Items);
        using var badCursor = await _customer.GetAsync(new Uri("/api/orders?cursor=not-a-cursor", UriKind.Relative), TestContext.Current.CancellationToken);
        await HostileInput.AssertRefusedAsync(badCursor, "cursor");
        using var badLimit = await _customer.GetAsync(new Uri("/api/orders?limit=1000", UriKind.Relative), TestContext.Current.CancellationToken);
        await HostileInput.AssertRefusedAsync(badLimit, "limit");
    }
}
