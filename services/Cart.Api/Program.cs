using Cart.Api.Carts;
using Cart.Api.Events;
using Cart.Api.Pricing;
using Cart.Api.Stores;
using Ecommerce.Clients;
using Ecommerce.Messaging;
using Ecommerce.Messaging.ReadModels;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();

var options = builder.AddValidatedOptions<CartOptions>("Cart");
// Redis carries the event streams whatever the cart store is.
builder.AddRedisClient("redis");
builder.Services.AddSingleton(sp => new StockBook(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), options.StockKey));
builder.AddEventConsumer<OrderingEventsConsumer>();
builder.AddEventConsumer<CatalogEventsConsumer>();
switch (options.Store)
{
    case "redis":
        builder.Services.AddSingleton<ICartStore, RedisCartStore>();
        break;
    case "postgres":
        builder.AddNpgsqlDataSource("cartdb");
        builder.Services.AddSingleton<PostgresCartStore>();
        builder.Services.AddSingleton<ICartStore>(sp => sp.GetRequiredService<PostgresCartStore>());
        builder.Services.AddHostedService<ExpiredCartCleanup>();
        break;
    default:
        throw new InvalidOperationException($"Cart:Store must be 'redis' or 'postgres', not '{options.Store}'.");
}

builder.Services.AddMemoryCache();
builder.Services.AddSingleton<CartPricing>();
builder.Services.AddHttpClient<ICatalogClient, HttpCatalogClient>(http =>
    http.BaseAddress = new Uri(builder.Configuration["Cart:CatalogUrl"] ?? "http://catalog-api"));
builder.Services.AddOpenApi();

var app = builder.Build();

if (app.Services.GetService<PostgresCartStore>() is { } postgres)
{
    await postgres.EnsureSchemaAsync(CancellationToken.None); // before listening: never healthy without its tables
}

app.UseHttpEdge();
app.MapOpenApi();
app.MapCarts();

await app.RunAsync();

public partial class Program;
