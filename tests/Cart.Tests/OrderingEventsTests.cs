using System.Text.Json;
using Cart.Api.Events;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Cart.Tests;

/// <summary>
/// The cart service reacts to ordering's events: the cart an order came from is emptied, once, by its owner's order only;
/// stock changes show on cart lines as the units available.
/// </summary>
public sealed class OrderingEventsTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogStub _catalog = null!;
    private ServiceFactory<Program> _service = null!;
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await CatalogStub.StartAsync();
        _catalog.Set("MUG", 5m);
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(redis);
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Cart:CatalogUrl"] = _catalog.Url.ToString(),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _catalog.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task PublishAsync(string data, string type = "OrderPlaced", DateTimeOffset? occurredAt = null) =>
        await _redis.GetDatabase().StreamAddAsync(EventStreams.Key(EventStreams.Ordering),
        [
            new("id", Guid.CreateVersion7().ToString()), new("type", type), new("data", data),
            .. occurredAt is { } at ? new NameValueEntry[] { new("occurredAt", at.ToUnixTimeMilliseconds()) } : [],
        ]);

    [Fact]
    public async Task The_consumer_reports_how_long_an_event_waited_since_its_commit()
    {
        // The relay writes occurredAt (the outbox row's commit time, Unix ms); the consumer records now minus that
        // when it starts handling, on ecommerce.consumer.delay with its stream and group.
        var delays = new System.Collections.Concurrent.ConcurrentBag<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Meter.Name: MessagingTelemetry.Name, Name: "ecommerce.consumer.delay" })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "messaging.consumer.group.name", Value: "cart-api" })
                {
                    delays.Add(value);
                }
            }
        });
        listener.Start();

        await PublishAsync(JsonSerializer.Serialize<IntegrationEvent>(new StockChanged("MUG", 4), IntegrationEventJson.Default.IntegrationEvent), "StockChanged",
            DateTimeOffset.UtcNow.AddSeconds(-3));
        await DrainAsync();

        var delay = Assert.Single(delays);
        Assert.InRange(delay, 3.0, 60.0);
    }

    [Fact]
    public async Task Stock_events_show_on_cart_lines_as_units_available_without_asking_ordering()
    {
        using var client = _service.CreateClient();
        var cart = await CartWithAMugAsync(client);
        (await client.PutAsJsonAsync($"/api/carts/{cart}/items/MUG", new { quantity = 3 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        foreach (var available in new[] { 7, 2 })
        {
            await PublishAsync(JsonSerializer.Serialize<IntegrationEvent>(new StockChanged("MUG", available), IntegrationEventJson.Default.IntegrationEvent), "StockChanged");
            await DrainAsync();
            var line = (await client.GetFromJsonAsync<Cart.Api.Pricing.CartResponse>($"/api/carts/{cart}", TestContext.Current.CancellationToken))!.Lines.Single();
            Assert.Equal((available, available >= 3), (line.AvailableQuantity, line.Available));
        }

        // What checkout reads: the lines as stored, unpriced.
        var lines = await client.GetFromJsonAsync<Cart.Api.Carts.CartLines>($"/api/carts/{cart}/lines", TestContext.Current.CancellationToken);
        Assert.Equal([new Cart.Api.Carts.CartLineQuantity("MUG", 3)], lines!.Lines);
        using var stranger = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var missing = await stranger.GetAsync(new Uri("/api/carts/AAAAAAAAAAAAAAAAAAAAAA/lines", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static string Placed(Guid customer, string cartId) => JsonSerializer.Serialize<IntegrationEvent>(
        new OrderPlaced(Guid.CreateVersion7(), customer, cartId, [new OrderedLine("MUG", Guid.CreateVersion7(), 1, 5m)], 5m, "EUR"),
        IntegrationEventJson.Default.IntegrationEvent);

    private async Task<string> CartWithAMugAsync(HttpClient client)
    {
        using var created = await client.PostAsync(new Uri("/api/carts", UriKind.Relative), null);
        var id = (await created.Content.ReadFromJsonAsync<Cart.Api.Carts.CartCreated>())!.Id;
        (await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 1 })).EnsureSuccessStatusCode();
        return id;
    }

    private Task DrainAsync() => OrderingStreamDrain.DrainAsync(_service.Services, _redis);

    [Fact]
    public async Task The_ordered_cart_is_emptied_and_a_redelivery_changes_nothing()
    {
        var customer = Guid.CreateVersion7();
        using var client = _service.CreateClient(TestTokens.Customer(customer));
        var ordered = await CartWithAMugAsync(client);
        var event_ = Placed(customer, ordered);

        await PublishAsync(event_);
        await PublishAsync(event_); // at-least-once: the same event again
        await DrainAsync();

        using var gone = await client.GetAsync(new Uri($"/api/carts/{ordered}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0, await _redis.GetDatabase().StreamLengthAsync(EventStreams.DeadLetter(EventStreams.Ordering)));
    }

    [Fact]
    public async Task Another_customers_order_cannot_empty_a_users_cart()
    {
        var owner = Guid.CreateVersion7();
        using var client = _service.CreateClient(TestTokens.Customer(owner));
        var cart = await CartWithAMugAsync(client);

        await PublishAsync(Placed(Guid.CreateVersion7(), cart));
        await DrainAsync();

        using var still = await client.GetAsync(new Uri($"/api/carts/{cart}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task An_unreadable_event_is_parked_on_the_dead_letter_stream()
    {
        await PublishAsync("{\"this is\": \"not an event\"}");
        await DrainAsync();

        var parked = await _redis.GetDatabase().StreamRangeAsync(EventStreams.DeadLetter(EventStreams.Ordering));
        Assert.Equal("cart-api", Assert.Single(parked)["group"].ToString());
    }
}

/// <summary>A deleted product shows as unavailable in carts at once, even while its price is cached.</summary>
public sealed class CatalogEventsConsumerTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogStub _catalog = null!;
    private ServiceFactory<Program> _service = null!;
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await CatalogStub.StartAsync();
        _catalog.Set("LAMP", 30m);
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(redis);
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Cart:CatalogUrl"] = _catalog.Url.ToString(),
            ["Cart:PriceCacheDuration"] = "01:00:00", // long enough that only the event can explain a change
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _catalog.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ProductDeleted_drops_the_cached_price_so_the_line_shows_unavailable()
    {
        using var client = _service.CreateClient();
        using var created = await client.PostAsync(new Uri("/api/carts", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var id = (await created.Content.ReadFromJsonAsync<Cart.Api.Carts.CartCreated>(TestContext.Current.CancellationToken))!.Id;
        (await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "LAMP", quantity = 1 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        _catalog.Remove("LAMP");
        Assert.NotNull((await client.GetFromJsonAsync<Cart.Api.Pricing.CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken))!.Lines.Single().UnitPrice);

        var deleted = JsonSerializer.Serialize<IntegrationEvent>(new ProductDeleted(Guid.CreateVersion7(), "LAMP", 2, []), IntegrationEventJson.Default.IntegrationEvent);
        await _redis.GetDatabase().StreamAddAsync(EventStreams.Key(EventStreams.Catalog), [new("id", Guid.CreateVersion7().ToString()), new("type", "ProductDeleted"), new("data", deleted)]);
        var consumer = _service.Services.GetRequiredService<CatalogEventsConsumer>();
        await consumer.EnsureGroupAsync();
        await consumer.ConsumeOnceAsync(CancellationToken.None);
        await consumer.ConsumeOnceAsync(CancellationToken.None); // a redelivery, or the hosted consumer having taken it first

        Cart.Api.Pricing.CartLineResponse line;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((line = (await client.GetFromJsonAsync<Cart.Api.Pricing.CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken))!.Lines.Single()).UnitPrice is not null
               && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.False(line.Available);
        Assert.Null(line.UnitPrice);
    }
}
