using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;

namespace Ordering.Api.Orders;

/// <summary>
/// Cancels orders that were placed but not paid in time, which releases their stock. Safe on several
/// replicas: two instances expiring the same order race on its next event version and only one wins.
/// </summary>
public sealed partial class ReservationExpiry(IServiceScopeFactory scopes, OrderingOptions options, TimeProvider time,
    Ecommerce.Messaging.OutboxRelay<OrderingDb> relay,
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
            catch (Exception ex) when (ex is not OperationCanceledException)
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
        var now = time.GetUtcNow();
        var due = await db.Reservations.AsNoTracking()
            .Where(r => r.Status == ReservationStatus.Active && r.ExpiresAt < now)
            .Select(r => r.OrderId).Distinct().OrderBy(id => id).Take(100).ToListAsync(ct);

        var expired = 0;
        foreach (var orderId in due)
        {
            var order = await new EventStore(db, time).LoadAsync(orderId, null, ct);
            if (order?.Expire(now) is not { Event: { } cancelled })
            {
                continue;
            }

            var result = await OrderCommands.AppendAsync(db, relay, time, order, null, cancelled,
                at => StockReservations.ReleaseAsync(db, orderId, at, ct), ct);
            if (result is not null)
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
