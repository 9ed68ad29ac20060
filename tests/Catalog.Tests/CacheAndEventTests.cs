using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Catalog.Tests;

public sealed class CacheAndEventTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await CatalogHost.CreateAsync(infrastructure);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Concurrent_misses_on_one_product_load_it_once()
    {
        // Written through another replica (each instance listens on its own channel here): the writer's own
        // invalidation notice could otherwise land in the middle of the reads and rightly cause a second load.
        using var admin = _host.Instance().CreateClient(TestTokens.Admin());
        var product = await CatalogHost.CreateAsync(admin, CatalogHost.Product("HOT-1"));
        var cache = _host.Instance().Services.GetRequiredService<ProductCache>();
        var before = cache.Loads;

        var reads = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => cache.GetAsync(product.Id, CancellationToken.None)));

        Assert.All(reads, r => Assert.Equal("HOT-1", r!.Sku));
        Assert.Equal(1, cache.Loads - before);
    }

    [Fact]
    public async Task A_write_on_one_replica_is_never_served_stale_by_another()
    {
        var channel = $"catalog:invalidate:{Guid.NewGuid():N}";
        var a = _host.Instance(new() { ["Catalog:InvalidationChannel"] = channel });
        var b = _host.Instance(new() { ["Catalog:InvalidationChannel"] = channel });
        using var readerA = a.CreateClient();
        using var adminB = b.CreateClient(TestTokens.Admin());
        var product = await CatalogHost.CreateAsync(adminB, CatalogHost.Product("REP-1", 10m));
        Assert.Equal(10m, (await readerA.GetFromJsonAsync<ProductResponse>($"/api/catalog/products/{product.Id}", TestContext.Current.CancellationToken))!.Price);

        using var update = new HttpRequestMessage(HttpMethod.Put, $"/api/catalog/products/{product.Id}") { Content = JsonContent.Create(CatalogHost.Product("REP-1", 11m)) };
        update.Headers.IfMatch.ParseAdd("\"v1\"");
        (await adminB.SendAsync(update, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        // Replica A had the product in its L1; the pub/sub notice must reach it within the hop.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        decimal price;
        while ((price = (await readerA.GetFromJsonAsync<ProductResponse>($"/api/catalog/products/{product.Id}", TestContext.Current.CancellationToken))!.Price) != 11m
               && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(11m, price);
        TestContext.Current.SendDiagnosticMessage($"replica A served the new price {clock.ElapsedMilliseconds} ms after the write returned");
    }

    [Fact]
    public async Task An_event_committed_before_a_crash_is_published_once_after_restart()
    {
        // The first instance commits products but never relays (as if it died right after the commit).
        var crashed = _host.Instance(new() { ["Outbox:RelayEnabled"] = "false" });
        using var admin = crashed.CreateClient(TestTokens.Admin());
        var product = await CatalogHost.CreateAsync(admin, CatalogHost.Product("EVT-1"));
        using var redis = await ConnectionMultiplexer.ConnectAsync(_host.Redis);
        var stream = EventStreams.Key(EventStreams.Catalog);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(0, await redis.GetDatabase().StreamLengthAsync(stream));
        Assert.Equal(1, await _host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null)));

        // A restarted instance relays what was left.
        var restarted = _host.Instance();
        _ = restarted.Server;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await redis.GetDatabase().StreamLengthAsync(stream) == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken); // a second publish would show up by now
        var entries = await redis.GetDatabase().StreamRangeAsync(stream);
        var entry = Assert.Single(entries);
        var e = System.Text.Json.JsonSerializer.Deserialize(entry["data"].ToString(), IntegrationEventJson.Default.IntegrationEvent);
        var upserted = Assert.IsType<ProductUpserted>(e);
        Assert.Equal((product.Id, 1L), (upserted.Product.Id, upserted.Product.Version));
        Assert.Equal(0, await _host.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null)));
    }
}
