using Ecommerce.Http.Problems;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway;

/// <summary>
/// The public path prefixes and the service that owns each. The gateway forwards <c>/api/{prefix}/…</c>
/// unchanged; a service is routed only when service discovery knows it (<c>services__{name}__http__0</c>).
/// </summary>
public static class Downstream
{
    public static readonly IReadOnlyDictionary<string, string> OwnerByPrefix = new Dictionary<string, string>
    {
        ["identity"] = "identity-api",
        ["catalog"] = "catalog-api",
        ["inventory"] = "ordering-api",
        ["carts"] = "cart-api",
        ["orders"] = "ordering-api",
        ["search"] = "search-api",
        ["payments"] = "payments-api",
    };

    public static IReadOnlyList<string> Configured(IConfiguration configuration) =>
        OwnerByPrefix.Values.Distinct()
            .Where(service => configuration.GetSection($"services:{service}").Exists())
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <param name="productCachePolicy">
    /// The output cache policy of anonymous product reads (<see cref="EdgeCache"/>), or null when the edge cache is off.
    /// </param>
    public static IReadOnlyList<RouteConfig> Routes(IReadOnlyList<string> services, string? productCachePolicy = null) =>
        ProductDetail(services, productCachePolicy).Concat(OwnerByPrefix
            .Where(p => services.Contains(p.Value))
            .Select(p => new RouteConfig
            {
                RouteId = p.Key,
                ClusterId = p.Value,
                Match = new RouteMatch { Path = $"/api/{p.Key}/{{**rest}}" },
            })
            .Concat(OwnerByPrefix
                .Where(p => services.Contains(p.Value))
                .Select(p => new RouteConfig
                {
                    RouteId = p.Key + "-root",
                    ClusterId = p.Value,
                    Match = new RouteMatch { Path = $"/api/{p.Key}" },
                })))
            .ToList();

    /// <summary>
    /// One product's detail, more specific than <c>/api/catalog/{**rest}</c> so routing picks it: its own route only to carry
    /// the edge cache's policy (which itself decides per request: only anonymous GET/HEAD). Browse lists, batches and
    /// anything under a product stay on the catalog's general route and are never cached.
    /// </summary>
    private static IEnumerable<RouteConfig> ProductDetail(IReadOnlyList<string> services, string? productCachePolicy) =>
        productCachePolicy is null || !services.Contains(OwnerByPrefix["catalog"])
            ? []
            :
            [
                new RouteConfig
                {
                    RouteId = "catalog-product",
                    ClusterId = OwnerByPrefix["catalog"],
                    Match = new RouteMatch { Path = "/api/catalog/products/{id:guid}" },
                    OutputCachePolicy = productCachePolicy,
                },
            ];

    public static IReadOnlyList<ClusterConfig> Clusters(IReadOnlyList<string> services) =>
        services.Select(service => new ClusterConfig
        {
            ClusterId = service,
            // A backstop for a frozen service: the services answer 503 within their own 15 s request budget
            // (ServiceDefaults:RequestTimeoutSeconds, Ecommerce.Http/Outages) before this 20 s.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(20) },
            Destinations = new Dictionary<string, DestinationConfig>
            {
                // Resolved by Microsoft.Extensions.ServiceDiscovery.Yarp, like any HttpClient's "http://catalog-api".
                ["default"] = new() { Address = $"http://{service}" },
            },
        }).ToList();

    /// <summary>
    /// A service that could not be reached (refused, reset, timed out) is a 503 problem with Retry-After, so a client
    /// can tell "try again shortly" from a bug; YARP alone answers a bare 502 or 504.
    /// </summary>
    public static async Task AnswerForwardingErrorsAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.GetForwarderErrorFeature() is { } error && !context.Response.HasStarted && error.Error != ForwarderError.RequestCanceled)
        {
            var service = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await Ecommerce.Http.Outages.OutageResponses.WriteAsync(context,
                $"{service} could not be reached ({error.Error}). Retry later; an order retried with the same Idempotency-Key is placed at most once.");
        }
    }

    /// <summary>
    /// Known prefixes whose service is not deployed answer 503; unknown prefixes 404 — both as problem details,
    /// so a client can tell "not here yet" from "no such API".
    /// </summary>
    public static void MapUnroutedApiPaths(this WebApplication app, IReadOnlyList<string> services)
    {
        app.Map("/api/{prefix}/{**rest}", (string prefix) =>
            OwnerByPrefix.TryGetValue(prefix, out var owner) && !services.Contains(owner)
                ? Problem.Of(ProblemTypes.ServiceUnavailable, $"'/api/{prefix}' is served by {owner}, which is not part of this deployment.")
                : Problem.Of(ProblemTypes.NotFound, $"No API is served under '/api/{prefix}'."))
            .Add(e => ((RouteEndpointBuilder)e).Order = int.MaxValue);
    }
}
