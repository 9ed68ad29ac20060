using Ecommerce.Http.Outages;
using Ecommerce.ServiceDefaults.Resilience;
using Microsoft.EntityFrameworkCore;
using Ecommerce.Clients;
using Ecommerce.Messaging;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;
using Ordering.Api.Orders;
using Ecommerce.Authentication;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();
builder.AddServiceDbContext<OrderingDb>("orderingdb");
builder.AddRedisClient("redis");

builder.AddValidatedOptions<OrderingOptions>("Ordering");
builder.Services.AddHttpClient<ICatalogClient, HttpCatalogClient>(http =>
    http.BaseAddress = new Uri(builder.Configuration["Ordering:CatalogUrl"] ?? "http://catalog-api"));
builder.Services.AddHttpClient<ICartClient, HttpCartClient>(http =>
    http.BaseAddress = new Uri(builder.Configuration["Ordering:CartUrl"] ?? "http://cart-api"));
// Charges carry a service token: payments takes them from the platform's services only.
builder.Services.AddTransient<ServiceTokenHandler>();
#pragma warning disable EXTEXP0001 // Experimental API, but the documented way to give one client its own pipeline.
// A charge is safe to retry (the attempt key makes a repeat answer the first attempt), but the shopper is waiting:
// one quick retry, then an honest 503 with Retry-After rather than a long hang.
var paymentsClient = builder.Services.AddHttpClient<IPaymentsClient, HttpPaymentsClient>(http =>
    http.BaseAddress = new Uri(builder.Configuration["Ordering:PaymentsUrl"] ?? "http://payments-api")).RemoveAllResilienceHandlers();
paymentsClient.AddStandardResilienceHandler(r =>
{
    r.Retry.MaxRetryAttempts = 1;
    r.Retry.Delay = TimeSpan.FromMilliseconds(200);
    r.Retry.ShouldRetryAfterHeader = false;
});
// Its own pipeline replaced the defaults, chaos included: put chaos back inside it (off unless configured).
paymentsClient.AddChaosWhenEnabled(ChaosOptions.From(builder.Configuration));
paymentsClient.AddHttpMessageHandler<ServiceTokenHandler>();
#pragma warning restore EXTEXP0001
builder.AddOutboxRelay<OutboxRelay<OrderingDb>>();

builder.Services.AddSingleton<OrderSummaryProjector>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderSummaryProjector>());
builder.AddEventConsumer<PaymentEventsConsumer>();
builder.Services.AddScoped<OrderTransactions>();
builder.Services.AddSingleton<ReservationExpiry>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ReservationExpiry>());
builder.Services.AddOpenApi();

var app = builder.Build();

// Migrate before listening: the service is never healthy on an old schema.
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<OrderingDb>().Database.ApplyMigrationsAsync();
}

app.UseHttpEdge();
app.MapOpenApi();
app.MapInventory();
app.MapOrders();

await app.RunAsync();

public partial class Program;
