using Catalog.Api.Products;
using Catalog.Api.Seed;
using Catalog.Api.Stores;
using Ecommerce.Messaging;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();
builder.AddRedisClient("redis");

var options = builder.AddValidatedOptions<CatalogOptions>("Catalog");
builder.AddCatalogStore(options.Store);
// HybridCache's L2 is Redis, on the service's one shared multiplexer.
builder.Services.AddStackExchangeRedisCache(redis => redis.InstanceName = "catalog:");
builder.Services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
    .Configure<IConnectionMultiplexer>((redis, multiplexer) => redis.ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer));
builder.Services.AddHybridCache();
builder.Services.AddSingleton<ProductCache>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ProductCache>());
builder.Services.AddScoped<ProductWriter>();
builder.Services.AddOpenApi();

var app = builder.Build();

// Schema (migrations or indexes) and seed data before listening: never healthy on an old schema or an empty demo catalog.
await CatalogStores.PrepareAsync(app.Services, options.Store, CancellationToken.None);

await CatalogSeeder.SeedAsync(app.Services, CancellationToken.None);

app.UseHttpEdge();
app.MapOpenApi();
app.MapProducts();
app.MapSeed();

await app.RunAsync();

public partial class Program;
