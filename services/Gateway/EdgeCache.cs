using System.ComponentModel.DataAnnotations;
using Ecommerce.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using StackExchange.Redis;
using Yarp.ReverseProxy.Transforms;

namespace Gateway;

/// <summary>Settings under <c>Gateway:EdgeCache</c>.</summary>
public sealed class EdgeCacheOptions
{
    /// <summary>False: nothing is cached at the edge (the bench lab's single-PostgreSQL configuration measures the stores).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The safety net: an entry lives at most this long even if no invalidation ever reaches the gateway (a notice the
    /// catalog could not publish, or one lost in a way the Redis client cannot report).
    /// </summary>
    [Range(1, 3600)]
    public int ExpirySeconds { get; set; } = 60;

    /// <summary>The catalog's own invalidation channel (<c>Catalog:InvalidationChannel</c>, same default): one product id per message.</summary>
    [Required, MinLength(1)]
    public string InvalidationChannel { get; set; } = "catalog:invalidate";
}

/// <summary>
/// Anonymous product detail (<c>GET/HEAD /api/catalog/products/{id}</c>) answered from ASP.NET Core Output Caching at the
/// gateway, in memory per replica. Every entry is tagged with its product id and dropped when the catalog announces a
/// write of that product on its invalidation channel (the one its own replicas already listen to), so the expiry is only
/// a safety net. The cache only works while that channel is heard: when Redis is away nothing is stored or served from
/// it, and losing or regaining the connection flushes it, since a notice may have been missed meanwhile.
/// docs/decision-edge-cache.md says why.
/// </summary>
public static partial class EdgeCache
{
    public const string PolicyName = "edge-product";

    /// <summary>The connection's name (<c>ConnectionStrings:redis</c>) and the key of the gateway's keyed multiplexer.</summary>
    public const string RedisName = "redis";

    /// <summary>On every entry, so a lost connection can flush them all.</summary>
    internal const string AllEntriesTag = "edge";

    public static string TagOf(Guid productId) => "product:" + productId.ToString("D");

    /// <returns>The output cache policy name for the product detail route, or null when the edge cache is off.</returns>
    public static string? AddEdgeCache(this WebApplicationBuilder builder)
    {
        var options = builder.AddValidatedOptions<EdgeCacheOptions>("Gateway:EdgeCache");
        if (!options.Enabled || string.IsNullOrEmpty(builder.Configuration.GetConnectionString(RedisName)))
        {
            return null;
        }

        // Keyed, not the default IConnectionMultiplexer: with a default one, the shared JWT handler would look up signed-out
        // sessions in Redis on every signed-in request through the gateway (AuthenticationExtensions), a cost and a Redis
        // dependency the edge never had. Its health check is off: the gateway's /health says whether the services behind
        // it answer (DownstreamHealth), and the gateway serves every request without Redis (uncached), so Redis being away
        // must not take it out of a load balancer.
        builder.AddKeyedRedisClient(RedisName, settings => settings.DisableHealthChecks = true);
        // Shared by the policy and the listener without a DI edge between them: the output cache store is built from
        // OutputCacheOptions, so a policy resolved while configuring them must not need the store.
        var state = new EdgeCacheState();
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<EdgeCacheInvalidation>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EdgeCacheInvalidation>());
        // No base policy: only the route that names this policy is ever cached.
        builder.Services.AddOutputCache(cache =>
        {
            cache.DefaultExpirationTimeSpan = TimeSpan.FromSeconds(options.ExpirySeconds);
            cache.AddPolicy(PolicyName, new ProductDetailPolicy(state, TimeSpan.FromSeconds(options.ExpirySeconds)));
        });
        return PolicyName;
    }

    /// <summary>
    /// A successful write of a product through this gateway drops its entries before the answer goes back, so the writer's
    /// next read through the same gateway sees its write without waiting for the catalog's notice (which other replicas
    /// of the gateway still rely on).
    /// </summary>
    public static IReverseProxyBuilder AddEdgeCacheEviction(this IReverseProxyBuilder proxy, string? policy) =>
        policy is null ? proxy : proxy.AddTransforms(transforms =>
        {
            if (transforms.Route.OutputCachePolicy != policy) return;
            transforms.AddResponseTransform(transform =>
            {
                var http = transform.HttpContext;
                if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                    && transform.ProxyResponse?.IsSuccessStatusCode == true
                    && http.GetRouteValue("id") is string id && Guid.TryParse(id, out var productId))
                {
                    http.RequestServices.GetRequiredService<EdgeCacheInvalidation>().Evict(productId);
                }

                return ValueTask.CompletedTask;
            });
        });

    /// <summary>After the edge checks, authentication and rate limits: a cached answer skips none of them.</summary>
    public static void UseEdgeCache(this WebApplication app, string? policy)
    {
        if (policy is not null)
        {
            app.UseOutputCache();
        }
        else if (app.Services.GetRequiredService<EdgeCacheOptions>().Enabled)
        {
            LogNoRedis(app.Logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway:EdgeCache is enabled but there is no ConnectionStrings:redis to hear the catalog's invalidations on: product reads are not cached at the edge")]
    private static partial void LogNoRedis(ILogger logger);
}

/// <summary>
/// Which requests and answers the edge cache takes: anonymous (no Authorization, no Cookie) GET/HEAD of one product, with
/// a well-formed If-None-Match if any (a malformed one is the catalog's 400 to give), answered 200 without Set-Cookie or
/// <c>Cache-Control: no-store/private</c>, and only while the invalidation channel is heard.
/// </summary>
internal sealed class ProductDetailPolicy(EdgeCacheState state, TimeSpan expiry) : IOutputCachePolicy
{
    private static readonly object StartedAtGeneration = new();

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var productId = Guid.Empty;
        var cacheable = state.Listening
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && !request.Headers.ContainsKey(HeaderNames.Authorization)
            && !request.Headers.ContainsKey(HeaderNames.Cookie)
            && EntityTags.TryParseCondition(request.Headers.IfNoneMatch, out _)
            && http.GetRouteValue("id") is string id && Guid.TryParse(id, out productId);

        context.EnableOutputCaching = cacheable;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        // Concurrent misses of one product wait for the first one's answer instead of all going to the catalog.
        context.AllowLocking = cacheable;
        if (!cacheable)
        {
            return ValueTask.CompletedTask;
        }

        context.ResponseExpirationTimeSpan = expiry;
        // The same product answers every host name; the query is kept in the key should the API ever read one.
        context.CacheVaryByRules.VaryByHost = false;
        context.CacheVaryByRules.QueryKeys = "*";
        // The CORS middleware runs first and writes Access-Control-Allow-Origin for the caller's origin into the answer.
        context.CacheVaryByRules.HeaderNames = HeaderNames.Origin;
        context.Tags.Add(EdgeCache.AllEntriesTag);
        context.Tags.Add(EdgeCache.TagOf(productId));
        http.Items[StartedAtGeneration] = state.Generation;
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var response = http.Response;
        if (response.StatusCode != StatusCodes.Status200OK
            || !StringValues.IsNullOrEmpty(response.Headers.SetCookie)
            || ForbidsSharedCaching(response.Headers.CacheControl)
            // An invalidation arrived while this answer was on its way: it may be the version just replaced.
            || http.Items[StartedAtGeneration] is not long started || started != state.Generation)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    private static bool ForbidsSharedCaching(StringValues cacheControl) =>
        !StringValues.IsNullOrEmpty(cacheControl)
        && (HeaderUtilities.ContainsCacheDirective(cacheControl, CacheControlHeaderValue.NoStoreString)
            || HeaderUtilities.ContainsCacheDirective(cacheControl, CacheControlHeaderValue.PrivateString));
}

/// <summary>Whether the invalidation channel is heard, and a counter that moves on every eviction.</summary>
public sealed class EdgeCacheState
{
    private volatile bool _listening;
    private long _generation;

    /// <summary>True while the invalidation channel is subscribed on a live connection: only then is anything cached.</summary>
    public bool Listening
    {
        get => _listening;
        internal set => _listening = value;
    }

    /// <summary>Moves on every invalidation and flush: an answer fetched across a move is not stored.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    internal void Move() => Interlocked.Increment(ref _generation);
}

/// <summary>
/// Listens to the catalog's invalidation channel and drops the named product's entries. <see cref="Listening"/> is what
/// lets the policy cache at all: a notice published while the gateway cannot hear it is lost for good (pub/sub keeps
/// nothing), so while the connection is down nothing is cached, and a lost or regained connection flushes everything.
/// </summary>
public sealed partial class EdgeCacheInvalidation(IServiceProvider services, IOutputCacheStore store, EdgeCacheState state,
    EdgeCacheOptions options, ILogger<EdgeCacheInvalidation> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);
    private readonly RedisChannel _channel = RedisChannel.Literal(options.InvalidationChannel);
    private IConnectionMultiplexer? _redis;
    private ISubscriber? _subscriber;

    /// <summary>True while the invalidation channel is subscribed on a live connection.</summary>
    public bool Listening => state.Listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribes until it works: the gateway starts, and serves uncached, while Redis is away. One warning, not one per try.
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_redis is null)
                {
                    var redis = services.GetRequiredKeyedService<IConnectionMultiplexer>(EdgeCache.RedisName);
                    redis.ConnectionFailed += OnConnectionFailed;
                    redis.ConnectionRestored += OnConnectionRestored;
                    _redis = redis;
                }

                var subscriber = _redis.GetSubscriber();
                // A retry after a failed try may add the handler twice: dropping an entry twice is harmless.
                await subscriber.SubscribeAsync(_channel, OnMessage);
                _subscriber = subscriber;
                state.Listening = subscriber.IsConnected(_channel);
                LogListening(logger, options.InvalidationChannel);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (failures++ == 0)
                {
                    LogNotListening(logger, ex, options.InvalidationChannel);
                }
            }

            await Task.Delay(RetryEvery, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The multiplexer is disposed after the hosted services stop; its last "connection failed" is not news.
        if (_redis is { } redis)
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
        }

        state.Listening = false;
        await base.StopAsync(cancellationToken);
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        // The catalog publishes a product id; anything else on the channel is not for us.
        if (Guid.TryParse(message.ToString(), out var id))
        {
            Evict(id);
        }
    }

    /// <summary>Drops every entry of one product (all methods, origins and spellings of its id).</summary>
    internal void Evict(Guid productId) => Evict(EdgeCache.TagOf(productId));

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        state.Listening = false;
        Evict(EdgeCache.AllEntriesTag);
        LogConnectionLost(logger, e.ConnectionType, e.FailureType);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // Whatever was published while the connection was down is lost: start empty.
        Evict(EdgeCache.AllEntriesTag);
        state.Listening = _subscriber?.IsConnected(_channel) == true;
        LogConnectionRestored(logger, e.ConnectionType, state.Listening);
    }

    private void Evict(string tag)
    {
        // First the generation, then the entries: an answer in flight sees the move and is not stored after the eviction.
        state.Move();
        var eviction = store.EvictByTagAsync(tag, CancellationToken.None);
        if (!eviction.IsCompletedSuccessfully)
        {
            // The in-memory store completes at once; any other store finishes on its own.
            _ = eviction.AsTask();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge cache: listening for product invalidations on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge cache: cannot subscribe to {Channel} yet; product reads are not cached until it can (retrying every 5 s)")]
    private static partial void LogNotListening(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge cache: Redis connection lost ({ConnectionType}, {FailureType}); flushed, and nothing is cached until it is back")]
    private static partial void LogConnectionLost(ILogger logger, ConnectionType connectionType, ConnectionFailureType failureType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge cache: Redis connection restored ({ConnectionType}); flushed; listening: {Listening}")]
    private static partial void LogConnectionRestored(ILogger logger, ConnectionType connectionType, bool listening);
}
