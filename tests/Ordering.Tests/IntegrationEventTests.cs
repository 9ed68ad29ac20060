using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Ordering.Tests;

/// <summary>Ordering tells the other contexts what happened, through its outbox and the ordering stream.</summary>
public sealed class IntegrationEventTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await OrderingHost.StartAsync(infrastructure);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Stock_and_order_events_reach_the_ordering_stream_in_order()
    {
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());
        using var customer = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        _host.Catalog.Set("PEN", 2m);
        await OrderingHost.SetStockAsync(admin, "PEN", "main", 10);
        using var placed = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("PEN", 4)));
        var order = (await placed.Content.ReadFromJsonAsync<Ordering.Api.Orders.OrderResponse>(TestContext.Current.CancellationToken))!;
        (await customer.PostAsync(new Uri($"/api/orders/{order.Id}/cancel", UriKind.Relative), null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        using var redis = await ConnectionMultiplexer.ConnectAsync(_host.Redis);
        var stream = EventStreams.Key(EventStreams.Ordering);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await redis.GetDatabase().StreamLengthAsync(stream) < 5 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var events = (await redis.GetDatabase().StreamRangeAsync(stream))
            .Select(e => System.Text.Json.JsonSerializer.Deserialize(e["data"].ToString(), IntegrationEventJson.Default.IntegrationEvent)!)
            .ToList();
        Assert.Collection(events,
            e => Assert.Equal(new StockChanged("PEN", 10), e),
            e => Assert.Equal(order.Id, Assert.IsType<OrderPlaced>(e).OrderId),
            e => Assert.Equal(new StockChanged("PEN", 6), e),
            e => Assert.Equal(order.Id, Assert.IsType<OrderCancelled>(e).OrderId),
            e => Assert.Equal(new StockChanged("PEN", 10), e));
    }

    [Fact]
    public async Task A_checkouts_stock_event_carries_the_skus_availability_over_every_warehouse()
    {
        // Checkout computes the StockChanged figure from the rows it locked (no query while they are locked): the sum over
        // all warehouses of the sku, less what the order took from whichever warehouse it took it.
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());
        using var customer = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        _host.Catalog.Set("INK", 3m);
        await OrderingHost.SetStockAsync(admin, "INK", "main", 3);
        await OrderingHost.SetStockAsync(admin, "INK", "east", 5);
        using var placed = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("INK", 4)));
        placed.EnsureSuccessStatusCode();

        using var redis = await ConnectionMultiplexer.ConnectAsync(_host.Redis);
        var stream = EventStreams.Key(EventStreams.Ordering);
        await Ecommerce.Testing.Poll.UntilAsync(async () => (await redis.GetDatabase().StreamRangeAsync(stream))
            .Any(e => e["type"] == "OrderPlaced"), TimeSpan.FromSeconds(10), "the OrderPlaced event on the stream");
        var stockEvents = (await redis.GetDatabase().StreamRangeAsync(stream))
            .Select(e => System.Text.Json.JsonSerializer.Deserialize(e["data"].ToString(), IntegrationEventJson.Default.IntegrationEvent)!)
            .OfType<StockChanged>().ToList();
        Assert.Equal(new StockChanged("INK", 4), stockEvents[^1]);
        var inventory = await customer.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/inventory/INK", TestContext.Current.CancellationToken);
        Assert.Equal(4, inventory.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_relay_pass_that_cannot_reach_redis_sends_nothing_and_the_next_sends_the_batch_once_in_order()
    {
        // The relay sends a batch in one Redis transaction: a failed pass leaves every row unsent (none half-sent out of
        // order), and the next pass sends them all, in outbox order, and marks them sent with one statement.
        var service = _host.Instance(settings: new() { ["Outbox:RelayEnabled"] = "false" });
        using var admin = service.CreateClient(TestTokens.Admin());
        foreach (var (sku, onHand) in new[] { ("A-1", 1), ("A-2", 2), ("A-3", 3) })
        {
            await OrderingHost.SetStockAsync(admin, sku, "main", onHand);
        }

        var scopes = service.Services.GetRequiredService<IServiceScopeFactory>();
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelay<Ordering.Api.Infrastructure.OrderingDb>>.Instance;
        using var unreachable = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9) }, AbortOnConnectFail = false,
            ConnectTimeout = 200, SyncTimeout = 200, AsyncTimeout = 200,
        });
        using var failing = new OutboxRelay<Ordering.Api.Infrastructure.OrderingDb>(scopes, unreachable, new OutboxOptions(), TimeProvider.System, logger);
        await Assert.ThrowsAnyAsync<Exception>(() => failing.RelayOnceAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, await _host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null, TestContext.Current.CancellationToken)));

        using var redis = await ConnectionMultiplexer.ConnectAsync(_host.Redis);
        using var working = new OutboxRelay<Ordering.Api.Infrastructure.OrderingDb>(scopes, redis, new OutboxOptions(), TimeProvider.System, logger);
        Assert.Equal(3, await working.RelayOnceAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await working.RelayOnceAsync(TestContext.Current.CancellationToken));

        var sent = (await redis.GetDatabase().StreamRangeAsync(EventStreams.Key(EventStreams.Ordering)))
            .Select(e => System.Text.Json.JsonSerializer.Deserialize(e["data"].ToString(), IntegrationEventJson.Default.IntegrationEvent)!)
            .ToList();
        Assert.Equal([new StockChanged("A-1", 1), new StockChanged("A-2", 2), new StockChanged("A-3", 3)], sent);
        Assert.Equal(0, await _host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null, TestContext.Current.CancellationToken)));
    }
}
