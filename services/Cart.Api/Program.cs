using Cart.Api.Carts;
using Cart.Api.Events;
using Cart.Api.Pricing;
using Cart.Api.Stores;
using Ecommerce.Clients;
using Ecommerce.Contracts.Outbox;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddDefaultAuthentication();

var options = builder.Configuration.GetSection("Cart").Get<CartOptions>() ?? new CartOptions();
builder.Services.AddSingleton(options);
// Redis carries the event streams whatever the cart store is.
builder.AddRedisClient("redis");
builder.Services.AddSingleton(builder.Configuration.GetSection("Consumers").Get<ConsumerOptions>() ?? new ConsumerOptions());
builder.Services.AddSingleton<OrderPlacedConsumer>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderPlacedConsumer>());
builder.Services.AddSingleton<CatalogEventsConsumer>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogEventsConsumer>());
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
#pragma warning disable EXTEXP0001 // Experimental API, but the documented way to opt one client out of the defaults.
// Availability is a hint on a cart page (checkout re-checks it): one quick try, never retries that hold the page up.
builder.Services.AddHttpClient<IInventoryClient, HttpInventoryClient>(http =>
{
    http.BaseAddress = new Uri(builder.Configuration["Cart:InventoryUrl"] ?? "http://ordering-api");
    http.Timeout = TimeSpan.FromSeconds(2);
}).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
builder.Services.AddOpenApi();

var app = builder.Build();

if (app.Services.GetService<PostgresCartStore>() is { } postgres)
{
    await postgres.EnsureSchemaAsync(CancellationToken.None); // before listening: never healthy without its tables
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRequestGuard();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapCarts();

await app.RunAsync();

public partial class Program;
