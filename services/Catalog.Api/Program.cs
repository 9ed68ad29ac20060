using Catalog.Api.Infrastructure;
using Catalog.Api.Products;
using Catalog.Api.Seed;
using Ecommerce.Contracts.Outbox;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddNpgsqlDbContext<CatalogDb>("catalogdb");
builder.AddRedisClient("redis");

builder.Services.AddSingleton(builder.Configuration.GetSection("Catalog").Get<CatalogOptions>() ?? new CatalogOptions());
var outbox = builder.Configuration.GetSection("Outbox").Get<OutboxOptions>() ?? new OutboxOptions();
builder.Services.AddSingleton(outbox);
// HybridCache's L2 is Redis, on the service's one shared multiplexer.
builder.Services.AddStackExchangeRedisCache(redis => redis.InstanceName = "catalog:");
builder.Services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
    .Configure<IConnectionMultiplexer>((redis, multiplexer) => redis.ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer));
builder.Services.AddHybridCache();
builder.Services.AddSingleton<ProductCache>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ProductCache>());
builder.Services.AddSingleton<OutboxRelay<CatalogDb>>();
if (outbox.RelayEnabled)
{
    builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay<CatalogDb>>());
}
builder.Services.AddScoped<ProductWriter>();
builder.Services.AddOpenApi();

var app = builder.Build();

// Schema and seed data before listening: never healthy on an old schema or an empty demo catalog.
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<CatalogDb>().Database.MigrateAsync();
}

await CatalogSeeder.SeedAsync(app.Services, CancellationToken.None);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapProducts();

await app.RunAsync();

public partial class Program;
