using System.Net;
using Ecommerce.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

[assembly: AssemblyFixture(typeof(TestInfrastructure))]

namespace Gateway.Tests;

/// <summary>
/// The edge cache on a real Redis: anonymous product reads are answered by the gateway after the first, an invalidation
/// on the catalog's channel drops exactly that product, and nothing else (signed-in, errors, switched off) is cached.
/// </summary>
public sealed class EdgeCacheTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _channel = $"test:{Guid.NewGuid():N}:catalog:invalidate"; // pub/sub is server-wide
    private FakeDownstream _catalog = null!;
    private ServiceFactory<Program> _gateway = null!;
    private ConnectionMultiplexer _publisher = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await FakeDownstream.StartAsync("catalog-api");
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        _gateway = StartGateway(redis, enabled: true);
        _publisher = await ConnectionMultiplexer.ConnectAsync(redis);
        await WaitUntilListeningAsync(_gateway);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _publisher.DisposeAsync();
        await _catalog.DisposeAsync();
    }

    private ServiceFactory<Program> StartGateway(string redis, bool enabled) => new(new Dictionary<string, string?>
    {
        ["services:catalog-api:http:0"] = _catalog.Url.ToString(),
        ["ConnectionStrings:redis"] = redis,
        ["Gateway:EdgeCache:Enabled"] = enabled ? "true" : "false",
        ["Gateway:EdgeCache:InvalidationChannel"] = _channel,
    });

    internal static Task WaitUntilListeningAsync(ServiceFactory<Program> gateway) =>
        Poll.UntilAsync(() => gateway.Services.GetRequiredService<EdgeCacheInvalidation>().Listening, TimeSpan.FromSeconds(30),
            "the gateway to subscribe to the invalidation channel");

    private static string ProductPath(Guid id) => $"/api/catalog/products/{id}";

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        var response = await client.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    [Fact]
    public async Task A_second_anonymous_read_is_answered_by_the_gateway()
    {
        var path = ProductPath(Guid.NewGuid());
        using var client = _gateway.CreateClient();

        using var first = await GetAsync(client, path);
        using var second = await GetAsync(client, path);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, _catalog.Calls(path));
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal("\"v1\"", second.Headers.ETag?.ToString());
        // Output Caching's own Age header on what it served; nothing of ours.
        Assert.NotNull(second.Headers.Age);
    }

    [Theory]
    [InlineData("Authorization", "Bearer token-value")]
    [InlineData("Cookie", "session=abc")]
    public async Task A_read_with_credentials_always_reaches_the_catalog(string header, string value)
    {
        var path = ProductPath(Guid.NewGuid());
        using var client = _gateway.CreateClient();
        using (await GetAsync(client, path))
        {
            // An anonymous read has filled the cache.
        }

        for (var i = 0; i < 2; i++)
        {
            using var response = await GetAsync(client, path, r => r.Headers.TryAddWithoutValidation(header, value));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, _catalog.Calls(path));
    }

    [Fact]
    public async Task An_invalidation_drops_that_product_only()
    {
        var changed = Guid.NewGuid();
        var other = Guid.NewGuid();
        using var client = _gateway.CreateClient();
        foreach (var id in new[] { changed, other })
        {
            using (await GetAsync(client, ProductPath(id)))
            {
            }
        }

        // What catalog-api's ProductCache.InvalidateAsync publishes after a write.
        await _publisher.GetSubscriber().PublishAsync(RedisChannel.Literal(_channel), changed.ToString());

        await Poll.UntilAsync(async () =>
        {
            using (await GetAsync(client, ProductPath(changed)))
            {
                return _catalog.Calls(ProductPath(changed)) == 2;
            }
        }, TimeSpan.FromSeconds(10), "the invalidated product to be read from the catalog again");
        using var otherAgain = await GetAsync(client, ProductPath(other));
        Assert.Equal(HttpStatusCode.OK, otherAgain.StatusCode);
        Assert.Equal(1, _catalog.Calls(ProductPath(other)));
    }

    [Fact]
    public async Task A_write_through_the_gateway_drops_the_product_before_its_answer()
    {
        var path = ProductPath(Guid.NewGuid());
        using var client = _gateway.CreateClient();
        using (await GetAsync(client, path))
        {
        }

        using (var put = await client.PutAsync(new Uri(path, UriKind.Relative), new StringContent("{}"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // No waiting for the channel: the next read goes to the catalog (PUT, GET, GET).
        using (await GetAsync(client, path))
        {
        }

        Assert.Equal(3, _catalog.Calls(path));
    }

    [Fact]
    public async Task If_None_Match_with_the_cached_ETag_is_a_304_from_the_cache()
    {
        var path = ProductPath(Guid.NewGuid());
        using var client = _gateway.CreateClient();
        using var full = await GetAsync(client, path);

        using var revalidated = await GetAsync(client, path, r => r.Headers.TryAddWithoutValidation("If-None-Match", full.Headers.ETag!.ToString()));
        using var weak = await GetAsync(client, path, r => r.Headers.TryAddWithoutValidation("If-None-Match", "W/\"v1\""));
        using var other = await GetAsync(client, path, r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"v0\""));

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal("\"v1\"", revalidated.Headers.ETag?.ToString());
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode); // weak comparison, as the catalog does
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, _catalog.Calls(path));
    }

    [Fact]
    public async Task A_malformed_If_None_Match_goes_to_the_catalog_which_owns_that_answer()
    {
        var path = ProductPath(Guid.NewGuid());
        using var client = _gateway.CreateClient();
        using (await GetAsync(client, path))
        {
        }

        using var response = await GetAsync(client, path, r => r.Headers.TryAddWithoutValidation("If-None-Match", "v1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the fake ignores it; catalog-api answers a 400
        Assert.Equal(2, _catalog.Calls(path));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_404_or_5xx_from_the_catalog_is_never_cached(int status)
    {
        var path = ProductPath(Guid.NewGuid());
        _catalog.StatusByPath[path] = status;
        using var client = _gateway.CreateClient();

        for (var i = 0; i < 2; i++)
        {
            using var response = await GetAsync(client, path);
            Assert.Equal(status, (int)response.StatusCode);
        }

        Assert.Equal(2, _catalog.Calls(path));
    }

    [Theory]
    [InlineData("/api/catalog/products?category=shoes")]
    [InlineData("/api/catalog/products/batch?ids=0192f000-0000-7000-8000-000000000000")]
    [InlineData("/api/catalog/products/0192f000-0000-7000-8000-000000000000/reviews")]
    public async Task Lists_batches_and_anything_under_a_product_are_not_cached(string pathAndQuery)
    {
        using var client = _gateway.CreateClient();

        for (var i = 0; i < 2; i++)
        {
            using var response = await GetAsync(client, pathAndQuery);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, _catalog.Calls(pathAndQuery.Split('?')[0]));
    }

    [Fact]
    public async Task Switched_off_nothing_is_cached()
    {
        await using var gateway = StartGateway(await infrastructure.CreateRedisDatabaseAsync(), enabled: false);
        var path = ProductPath(Guid.NewGuid());
        using var client = gateway.CreateClient();

        using var first = await GetAsync(client, path);
        using var second = await GetAsync(client, path);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Null(second.Headers.Age);
        Assert.Equal(2, _catalog.Calls(path));
        Assert.Null(gateway.Services.GetService<EdgeCacheInvalidation>());
    }
}

/// <summary>
/// Redis going away and coming back, on a Redis of its own it can stop: the gateway keeps answering (uncached) and
/// stays healthy, and it starts from an empty cache when Redis is back (a notice may have been missed meanwhile).
/// </summary>
public sealed class EdgeCacheRedisOutageTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ecommerce-tests", "edge-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly int _port = Ports.GetFree();
    private LocalRedis? _redis;
    private FakeDownstream _catalog = null!;
    private ServiceFactory<Program> _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await StartRedisAsync();
        _catalog = await FakeDownstream.StartAsync("catalog-api");
        _gateway = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["services:catalog-api:http:0"] = _catalog.Url.ToString(),
            ["ConnectionStrings:redis"] = _redis.ConnectionString,
            ["Gateway:HealthProbeCacheMilliseconds"] = "0",
        });
        await EdgeCacheTests.WaitUntilListeningAsync(_gateway);
    }

    private Task<LocalRedis> StartRedisAsync() =>
        LocalRedis.StartAsync(_root, _port, durable: false, _ => { }, Ct);

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _catalog.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Losing_and_regaining_Redis_flushes_the_cache_and_never_makes_the_gateway_unhealthy()
    {
        var path = $"/api/catalog/products/{Guid.NewGuid()}";
        using var client = _gateway.CreateClient();
        var invalidation = _gateway.Services.GetRequiredService<EdgeCacheInvalidation>();
        async Task ReadAsync()
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await ReadAsync();
        await ReadAsync();
        Assert.Equal(1, _catalog.Calls(path));

        await _redis!.DisposeAsync();
        _redis = null;
        await Poll.UntilAsync(() => !invalidation.Listening, TimeSpan.FromSeconds(30), "the gateway to notice Redis is gone");

        // Flushed, and not cached while no invalidation can be heard; the gateway's health is about the services behind it.
        await ReadAsync();
        await ReadAsync();
        Assert.Equal(3, _catalog.Calls(path));
        using (var health = await client.GetAsync(new Uri("/health", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        _redis = await StartRedisAsync();
        await Poll.UntilAsync(() => invalidation.Listening, TimeSpan.FromSeconds(60), "the gateway to hear the channel again");

        // Caching resumes (polled: the interactive and the subscription connections come back one after the other, each
        // flushing the cache when it does).
        await Poll.UntilAsync(async () =>
        {
            var before = _catalog.Calls(path);
            await ReadAsync();
            return _catalog.Calls(path) == before;
        }, TimeSpan.FromSeconds(30), "a read answered from the cache again");
    }
}
