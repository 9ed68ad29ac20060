using Ecommerce.Http.Outages;
using Ecommerce.ServiceDefaults.Resilience;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Events;
using Payments.Api.Infrastructure;
using Payments.Api.Payments;
using Payments.Api.Provider;
using Payments.Api.Reconciliation;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();
builder.AddServiceDbContext<PaymentsDb>("paymentdb");
builder.AddRedisClient("redis"); // the event streams: ordering's in, payments' out

var options = builder.AddValidatedOptions<PaymentOptions>("Payments");
builder.Services.AddSingleton(options.Provider);
builder.Services.AddSingleton<IPaymentProvider, SimulatedProvider>();
builder.Services.AddScoped<Charging>();
builder.Services.AddScoped<Refunding>();
builder.Services.AddScoped<Reconciler>();
builder.AddOutboxRelay<OutboxRelay<PaymentsDb>>();
builder.AddEventConsumer<OrderingEventsConsumer>();
builder.Services.AddSingleton<PaymentRecovery>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<PaymentRecovery>());
builder.Services.AddOpenApi();

var app = builder.Build();

// Migrate before listening: the service is never healthy on an old schema (or without its audit triggers).
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<PaymentsDb>().Database.ApplyMigrationsAsync();
}

app.UseHttpEdge();
app.MapOpenApi();
app.MapPayments();

await app.RunAsync();

public partial class Program;
