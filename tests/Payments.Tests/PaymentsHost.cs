using System.Text.Json;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Infrastructure;
using Payments.Api.Payments;
using StackExchange.Redis;

namespace Payments.Tests;

/// <summary>The real payments service on its own database and Redis, reached the way ordering reaches it.</summary>
public sealed class PaymentsHost : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;

    private PaymentsHost(ServiceFactory<Program> service, string database, ConnectionMultiplexer redis)
    {
        Service = service;
        Database = database;
        _redis = redis;
        Ordering = service.CreateClient(TestTokens.Service());
        Admin = service.CreateClient(TestTokens.Admin());
    }

    public ServiceFactory<Program> Service { get; }
    public string Database { get; }
    public HttpClient Ordering { get; }
    public HttpClient Admin { get; }

    public static async Task<PaymentsHost> StartAsync(TestInfrastructure infrastructure, bool realServer = false)
    {
        var database = await infrastructure.CreateDatabaseAsync("payments");
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        var service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:paymentdb"] = database + ";Maximum Pool Size=50",
            ["ConnectionStrings:redis"] = redis,
            ["Payments:Provider:LatencyMilliseconds"] = "5",
            // The tests drive recovery and judge reconciliation themselves, with nothing "in flight".
            ["Payments:RecoveryInterval"] = "1.00:00:00",
            ["Payments:PendingTimeout"] = "00:00:00",
            ["Payments:ReconcileGrace"] = "00:00:00",
            ["Consumers:PollInterval"] = "00:00:00.050",
        }, realServer);
        service.StartServer(); // and migrate, before the test runs
        return new PaymentsHost(service, database, await ConnectionMultiplexer.ConnectAsync(redis));
    }

    public static object Charge(Guid orderId, string key, string method = "tok_visa", decimal amount = 42.50m, Guid? customerId = null) =>
        new { orderId, customerId = customerId ?? Guid.Parse("0193a3c5-0000-7000-8000-000000000001"), amount, currency = "EUR", paymentMethod = method, attemptKey = key };

    public async Task<T> QueryAsync<T>(Func<PaymentsDb, Task<T>> query)
    {
        await using var db = new PaymentsDb(new DbContextOptionsBuilder<PaymentsDb>().UseNpgsql(Database).Options);
        return await query(db);
    }

    public Task<int> ProviderChargesAsync() => QueryAsync(db => db.LedgerCharges.CountAsync());

    public Task<int> ProviderRefundsAsync() => QueryAsync(db => db.LedgerRefunds.CountAsync());

    /// <summary>An event as ordering's outbox relay writes it to its stream.</summary>
    public Task PublishAsync(IntegrationEvent e) =>
        _redis.GetDatabase().StreamAddAsync(EventStreams.Key(EventStreams.Ordering),
        [
            new("id", Guid.CreateVersion7().ToString()), new("type", e.GetType().Name),
            new("data", JsonSerializer.Serialize(e, IntegrationEventJson.Default.IntegrationEvent)),
        ]);

    public async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            Assert.True(DateTime.UtcNow < deadline, $"still waiting for {what}; last: {JsonSerializer.Serialize(value)}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public async Task<Reconciliation> ReconcileAsync() =>
        (await (await Admin.PostAsync(new Uri("/api/payments/reconcile", UriKind.Relative), null, TestContext.Current.CancellationToken))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Reconciliation>(TestContext.Current.CancellationToken))!;

    public Task<int> RecoverAsync() => Service.Services.GetRequiredService<PaymentRecovery>().RecoverOnceAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Ordering.Dispose();
        Admin.Dispose();
        await Service.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

public sealed record Refund(Guid Id, Guid PaymentId, decimal Amount, string Status, string Reason);

public sealed record Payment(Guid Id, Guid OrderId, decimal Amount, string Currency, string Method, string Status, string? ProviderReference, string? FailureReason,
    List<Refund> Refunds);

public sealed record PaymentList(List<Payment> Items, string? OrderStatus, int? ProviderCharges)
{
    public List<Refund> Refunds => Items.SelectMany(p => p.Refunds).ToList();
}

public sealed record Finding(string Kind, Guid? OrderId, string Subject, decimal? Amount, string Detail);

public sealed record Reconciliation(bool Balanced, int ProviderCharges, int Payments, List<Finding> Findings, List<Finding> ChargesWithoutPaidOrder,
    List<Finding> PaidOrdersWithoutCharge, List<Finding> MissingRefunds);

public sealed record AuditRow(long Id, Guid PaymentId, Guid? RefundId, string Subject, string? OldStatus, string NewStatus, string Reason, string Actor);
