using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace Catalog.Api.Products;

/// <summary>
/// Product detail through HybridCache: in-process L1, Redis L2, one loader per key under concurrent misses.
/// HybridCache cannot invalidate other replicas' L1, so every write also publishes the id on a Redis channel
/// and each replica drops its own copy when it hears it.
/// </summary>
public sealed partial class ProductCache(HybridCache cache, IServiceScopeFactory scopes, IConnectionMultiplexer redis, CatalogOptions options,
    ILogger<ProductCache> logger) : IHostedService
{
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(1) };
    private long _loads;

    private RedisChannel Channel => RedisChannel.Literal(options.InvalidationChannel);

    /// <summary>How many times the database was actually asked (for tests and metrics).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    public async Task<ProductResponse?> GetAsync(Guid id, CancellationToken ct) =>
        options.CacheEnabled
            ? await cache.GetOrCreateAsync($"product:{id}", token => LoadAsync(id, token), Entry, cancellationToken: ct)
            : await LoadAsync(id, ct); // the bench lab's single-database configuration reads the store every time

    private async ValueTask<ProductResponse?> LoadAsync(Guid id, CancellationToken ct)
    {
        Interlocked.Increment(ref _loads);
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICatalogStore>().FindAsync(id, ct);
    }

    /// <summary>Drops the product here and in L2, then tells every replica to drop its L1 copy.</summary>
    public async Task InvalidateAsync(Guid id)
    {
        await cache.RemoveAsync($"product:{id}");
        await redis.GetSubscriber().PublishAsync(Channel, id.ToString());
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
        queue.OnMessage(async message =>
        {
            if (Guid.TryParse(message.Message.ToString(), out var id))
            {
                try
                {
                    await cache.RemoveAsync($"product:{id}");
                }
                catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
                {
                    LogInvalidationFailed(logger, ex, id);
                }
            }
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(Channel);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or RedisConnectionException)
        {
            // The multiplexer went first (host teardown order) or its connection is down: a closed connection has no
            // subscription left to drop, and stopping must not fail because Redis is away.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop product {ProductId} from the cache after an invalidation notice")]
    private static partial void LogInvalidationFailed(ILogger logger, Exception exception, Guid productId);
}

/// <summary>Settings under <c>Catalog</c>.</summary>
public sealed class CatalogOptions
{
    [Required, MinLength(1)]
    public string InvalidationChannel { get; set; } = "catalog:invalidate";
    [Range(0, 10_000_000)]
    public int DemoProducts { get; set; } = 60;
    public SeedOptions Seed { get; set; } = new();

    /// <summary>False: product detail reads go to the store every time (the bench lab's single-PostgreSQL configuration).</summary>
    public bool CacheEnabled { get; set; } = true;

    /// <summary><c>postgres</c> (default) or <c>mongodb</c> (needs <c>ConnectionStrings:mongodb</c>).</summary>
    [AllowedValues("postgres", "mongodb")]
    public string Store { get; set; } = "postgres";
}

public sealed class SeedOptions
{
    /// <summary>Generate this many products at start-up (the AppHost's <c>--seed N</c>); 0 = only the demo set on an empty database.</summary>
    public int Products { get; set; }
}
