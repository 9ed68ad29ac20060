using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;

namespace Ordering.Api.Orders;

/// <summary>
/// Cancels orders that were placed but not paid in time, which releases their stock. Safe on several
/// replicas: two instances expiring the same order race on its next event version and only one wins.
/// </summary>
public sealed partial class ReservationExpiry(IServiceScopeFactory scopes, OrderingOptions options, TimeProvider time,
    ILogger<ReservationExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ExpireOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogExpiryFailed(logger, ex);
            }

            await Task.Delay(options.ExpiryInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <returns>How many orders were cancelled.</returns>
    public async Task<int> ExpireOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderingDb>();
        var orders = scope.ServiceProvider.GetRequiredService<OrderTransactions>();
        var now = time.GetUtcNow();
        // A held reservation (a paid order's: no ExpiresAt) never comes due.
        var due = await db.Reservations.AsNoTracking()
            .Where(r => r.Status == ReservationStatus.Active && r.ExpiresAt != null && r.ExpiresAt < now)
            .Select(r => r.OrderId).Distinct().OrderBy(id => id).Take(100).ToListAsync(ct);

        var expired = 0;
        foreach (var orderId in due)
        {
            using var activity = OrderingTelemetry.Source.StartActivity("expire order reservation");
            activity?.SetTag("order.id", orderId);
            // Expire refuses an order that is no longer an unpaid, overdue one (paid or cancelled meanwhile): nothing written.
            if (await orders.DecideAsync(orderId, EventMetadata.ForSystem, o => o.Expire(now), ct) is OrderOutcome.Appended)
            {
                expired++;
                LogExpired(logger, orderId);
            }
        }

        return expired;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} cancelled: its reservation expired before payment")]
    private static partial void LogExpired(ILogger logger, Guid orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring reservations failed; retrying")]
    private static partial void LogExpiryFailed(ILogger logger, Exception exception);
}
