using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;
using Payments.Api.Provider;

namespace Payments.Api.Payments;

/// <summary>
/// Gives charges back in full. A refund is opened (Pending) in the transaction that decides it — a cancellation
/// heard, or a charge landing on a cancelled order — and then executed against the provider with the refund's id
/// as idempotency key; one that fails stays Pending and the recovery job executes it again.
/// </summary>
public sealed partial class Refunding(PaymentsDb db, IPaymentProvider provider, OutboxRelay<PaymentsDb> relay, TimeProvider time,
    ILogger<Refunding> logger)
{
    /// <summary>Adds a Pending refund of the whole payment to the current unit of work.</summary>
    public Refund Open(Payment payment, string reason, string actor, DateTimeOffset now)
    {
        var refund = new Refund
        {
            Id = Guid.CreateVersion7(), PaymentId = payment.Id, OrderId = payment.OrderId, Amount = payment.Amount,
            Currency = payment.Currency, Status = RefundStatus.Pending, Reason = reason, CreatedAt = now, UpdatedAt = now,
        };
        db.Refunds.Add(refund);
        AuditTrail.Record(db, refund, null, reason, actor, now);
        return refund;
    }

    /// <summary>
    /// Ordering cancelled the order: remember it (a charge still in flight is refunded when it lands) and open a
    /// refund of a charge that already landed. Idempotent: hearing it twice opens one refund.
    /// </summary>
    public async Task OrderCancelledAsync(Guid orderId, string reason, string actor, CancellationToken ct)
    {
        var refundId = await db.InTransactionAsync<Guid?>(async token =>
        {
            await db.LockOrderAsync(orderId, token);
            var now = time.StoredNow();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO order_states (order_id, status, updated_at) VALUES ({orderId}, 'Cancelled', {now})
                ON CONFLICT (order_id) DO UPDATE SET status = 'Cancelled', updated_at = excluded.updated_at
                """, token);
            var charged = await db.Payments.SingleOrDefaultAsync(p => p.OrderId == orderId && p.Status == PaymentStatus.Succeeded, token);
            if (charged is null || await db.Refunds.AnyAsync(r => r.PaymentId == charged.Id, token))
            {
                return null;
            }

            return Open(charged, $"the order was cancelled ({reason})", actor, now).Id;
        }, ct);
        if (refundId is { } id)
        {
            await ExecuteAsync(id, actor, ct);
        }
    }

    /// <returns>True when the refund is Succeeded (now or before).</returns>
    public async Task<bool> ExecuteAsync(Guid refundId, string actor, CancellationToken ct)
    {
        var refund = await db.Refunds.AsNoTracking().SingleAsync(r => r.Id == refundId, ct);
        if (refund.Status == RefundStatus.Succeeded)
        {
            return true;
        }

        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == refund.PaymentId, ct);
        string reference;
        try
        {
            reference = await provider.RefundAsync(refund.Id.ToString(), payment.ProviderReference!, refund.Amount, ct);
        }
        catch (ProviderUnavailableException ex)
        {
            LogRefundDeferred(logger, ex, refund.Id, refund.OrderId);
            return false;
        }

        await db.InTransactionAsync(async token =>
        {
            await db.LockOrderAsync(refund.OrderId, token);
            var current = await db.Refunds.SingleAsync(r => r.Id == refundId, token);
            if (current.Status == RefundStatus.Succeeded)
            {
                return false;
            }

            var now = time.StoredNow();
            current.Status = RefundStatus.Succeeded;
            current.ProviderReference = reference;
            current.UpdatedAt = now;
            AuditTrail.Record(db, current, RefundStatus.Pending, "refunded by the provider", actor, now);
            var charged = await db.Payments.SingleAsync(p => p.Id == current.PaymentId, token);
            charged.Status = PaymentStatus.Refunded;
            charged.UpdatedAt = now;
            AuditTrail.Record(db, charged, PaymentStatus.Succeeded, current.Reason, actor, now);
            db.AddToOutbox(EventStreams.Payments,
                new PaymentRefunded(charged.OrderId, charged.Id, current.Id, current.Amount, current.Currency, current.Reason), now);
            return true;
        }, ct);
        relay.Notify();
        LogRefunded(logger, refund.Id, refund.OrderId, refund.Amount, refund.Currency);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund {RefundId} of order {OrderId} could not reach the provider; the recovery job retries it")]
    private static partial void LogRefundDeferred(ILogger logger, Exception exception, Guid refundId, Guid orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refund {RefundId} of order {OrderId}: {Amount} {Currency} given back")]
    private static partial void LogRefunded(ILogger logger, Guid refundId, Guid orderId, decimal amount, string currency);
}
