using Ecommerce.Http.Outages;
using Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();
builder.AddEdgeProtection();
var productCachePolicy = builder.AddEdgeCache(); // null: no edge cache (switched off, or no Redis to hear invalidations on)

var downstream = Downstream.Configured(builder.Configuration);
builder.Services.AddReverseProxy()
    .LoadFromMemory(Downstream.Routes(downstream, productCachePolicy), Downstream.Clusters(downstream))
    .AddEdgeCacheEviction(productCachePolicy)
    .AddServiceDiscoveryDestinationResolver(); // "http://catalog-api" → services__catalog-api__http__0
builder.AddDownstreamHealthChecks(downstream);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
// A service that is down or slow: a 503 problem with Retry-After (never YARP's bare 502/504 or a hung request).
app.UseOutageResponses();
app.UseEdgeProtection();
app.UseEdgeCache(productCachePolicy);
app.MapDefaultEndpoints();
app.MapReverseProxy(proxy => proxy.Use(Downstream.AnswerForwardingErrorsAsync));
app.MapUnroutedApiPaths(downstream);

app.Run();

public partial class Program;
