using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;
using Payments.Api.Provider;

namespace Payments.Api.Payments;

/// <summary>Settings under <c>Payments</c>.</summary>
public sealed class PaymentOptions
{
    /// <summary>How often the recovery job looks for attempts and refunds left unfinished.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "365.00:00:00")]
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An attempt still Pending this long after its last change lost its answer (a timeout, a crash): the provider is
    /// asked what it did under the attempt's key. Far longer than any provider call, so a call still under way is never judged.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconciliation ignores what changed more recently than this: it is still in flight.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReconcileGrace { get; set; } = TimeSpan.FromSeconds(30);

    public SimulatedProviderOptions Provider { get; set; } = new();
}

/// <summary>
/// Finishes what a lost answer or a crash left: Pending attempts are settled from the provider's own record (charged
/// under that key, or never), Pending refunds are executed again. Each step is idempotent, so replicas may overlap.
/// </summary>
public sealed partial class PaymentRecovery(IServiceScopeFactory scopes, IPaymentProvider provider, PaymentOptions options, TimeProvider time,
    ILogger<PaymentRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RecoveryInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RecoverOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRecoveryFailed(logger, ex);
            }
        }
    }

    /// <returns>How many attempts and refunds were finished.</returns>
    public async Task<int> RecoverOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDb>();
        var charging = scope.ServiceProvider.GetRequiredService<Charging>();
        var refunding = scope.ServiceProvider.GetRequiredService<Refunding>();
        var before = time.GetUtcNow() - options.PendingTimeout;
        var finished = 0;
        var stale = await db.Payments.AsNoTracking().Where(p => p.Status == PaymentStatus.Pending && p.UpdatedAt < before)
            .OrderBy(p => p.UpdatedAt).Take(100).Select(p => p.Id).ToListAsync(ct);
        foreach (var id in stale)
        {
            ChargeOutcome outcome = await provider.FindChargeAsync(id.ToString(), ct) is { } charged
                ? charged
                : new ChargeDeclined("The provider never took this charge (its answer was lost); nothing was charged.");
            await charging.SettleAsync(id, outcome, "system:recovery", ct);
            finished++;
        }

        var refunds = await db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Pending && r.UpdatedAt < time.GetUtcNow() - options.RecoveryInterval)
            .OrderBy(r => r.UpdatedAt).Take(100).Select(r => r.Id).ToListAsync(ct);
        foreach (var id in refunds)
        {
            finished += await refunding.ExecuteAsync(id, "system:recovery", ct) ? 1 : 0;
        }

        if (finished > 0)
        {
            LogRecovered(logger, finished);
        }

        return finished;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The payment recovery pass failed; it runs again at the next interval")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment recovery finished {Count} attempts or refunds")]
    private static partial void LogRecovered(ILogger logger, int count);
}
