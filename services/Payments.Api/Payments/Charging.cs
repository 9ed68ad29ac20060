using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;
using Payments.Api.Provider;

namespace Payments.Api.Payments;

/// <summary>A validated charge request (ordering sends it; the amount is the order's, never a shopper's).</summary>
public sealed record ChargeCommand(Guid OrderId, Guid CustomerId, decimal Amount, string Currency, string Method, string AttemptKey);

public abstract record ChargeResult;

public sealed record Charged(Payment Payment) : ChargeResult;

/// <summary>An attempt recorded as Pending: the provider is to be called with it.</summary>
public sealed record Attempt(Payment Payment) : ChargeResult;

public sealed record Declined(Payment Payment) : ChargeResult;

/// <summary>Another attempt for this order is with the provider right now.</summary>
public sealed record InProgress(Payment Payment) : ChargeResult;

/// <summary>Another attempt already charged this order (it may have been refunded since).</summary>
public sealed record AlreadyCharged(Payment Payment) : ChargeResult;

public sealed record NotPayable(string Reason) : ChargeResult;

public sealed record AttemptKeyReused : ChargeResult;

/// <summary>The provider did not answer; the attempt stays Pending and the same key resumes it.</summary>
public sealed record ProviderUnavailable(Payment Payment) : ChargeResult;

/// <summary>
/// Charges an order at most once. An attempt is recorded (Pending) before the provider is called, under the order's
/// lock and a unique index that allows one live attempt per order; the provider gets the attempt's id as its
/// idempotency key, so a retry after a lost answer cannot charge twice. A charge that lands on an order already heard
/// cancelled is refunded at once.
/// </summary>
public sealed partial class Charging(PaymentsDb db, IPaymentProvider provider, Refunding refunding, OutboxRelay<PaymentsDb> relay,
    TimeProvider time, ILogger<Charging> logger)
{
    public async Task<ChargeResult> ChargeAsync(ChargeCommand command, string actor, CancellationToken ct)
    {
        var started = await StartAttemptAsync(command, actor, ct);
        // From here the provider may charge: finish whatever happens to the caller's connection.
        return started is Attempt attempt ? await CompleteAsync(attempt.Payment, actor, CancellationToken.None) : started;
    }

    /// <returns>The Pending <see cref="Attempt"/> to complete, or the answer to give now.</returns>
    private Task<ChargeResult> StartAttemptAsync(ChargeCommand c, string actor, CancellationToken ct) => db.InTransactionAsync<ChargeResult>(async token =>
    {
        await db.LockOrderAsync(c.OrderId, token);
        var mine = await db.Payments.SingleOrDefaultAsync(p => p.OrderId == c.OrderId && p.AttemptKey == c.AttemptKey, token);
        if (mine is not null)
        {
            if (mine.Amount != c.Amount || mine.Currency != c.Currency || mine.Method != c.Method)
            {
                return new AttemptKeyReused();
            }

            // A repeat of this attempt answers what happened to it.
            return mine.Status switch
            {
                PaymentStatus.Pending => new Attempt(mine), // resume: the provider answers this key with what it did
                PaymentStatus.Failed => new Declined(mine),
                _ => new Charged(mine),
            };
        }

        var live = await db.Payments.Where(p => p.OrderId == c.OrderId && p.Status != PaymentStatus.Failed).FirstOrDefaultAsync(token);
        if (live is not null)
        {
            return live.Status == PaymentStatus.Pending ? new InProgress(live) : new AlreadyCharged(live);
        }

        if (await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == c.OrderId, token) is { Status: OrderStatus.Cancelled })
        {
            return new NotPayable("The order is cancelled.");
        }

        var now = time.StoredNow();
        var payment = new Payment
        {
            Id = Guid.CreateVersion7(), OrderId = c.OrderId, CustomerId = c.CustomerId, Amount = c.Amount, Currency = c.Currency,
            Method = c.Method, AttemptKey = c.AttemptKey, Status = PaymentStatus.Pending, CreatedAt = now, UpdatedAt = now,
        };
        db.Payments.Add(payment);
        AuditTrail.Record(db, payment, null, "charge requested", actor, now);
        return new Attempt(payment);
    }, ct);

    private async Task<ChargeResult> CompleteAsync(Payment attempt, string actor, CancellationToken ct)
    {
        ChargeOutcome outcome;
        try
        {
            outcome = await provider.ChargeAsync(new ChargeRequest(attempt.Id.ToString(), attempt.Amount, attempt.Currency, attempt.Method), ct);
        }
        catch (ProviderUnavailableException ex)
        {
            LogProviderUnavailable(logger, ex, attempt.Id, attempt.OrderId);
            return new ProviderUnavailable(attempt);
        }

        return await SettleAsync(attempt.Id, outcome, actor, ct);
    }

    /// <summary>Records the provider's answer for a Pending attempt (once: a second settle finds it settled and changes nothing).</summary>
    public async Task<ChargeResult> SettleAsync(Guid paymentId, ChargeOutcome outcome, string actor, CancellationToken ct)
    {
        Guid? refundId = null;
        var result = await db.InTransactionAsync<ChargeResult>(async token =>
        {
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId, token);
            await db.LockOrderAsync(payment.OrderId, token);
            await db.Entry(payment).ReloadAsync(token);
            if (payment.Status != PaymentStatus.Pending)
            {
                return payment.Status == PaymentStatus.Failed ? new Declined(payment) : new Charged(payment);
            }

            var now = time.StoredNow();
            payment.UpdatedAt = now;
            if (outcome is ChargeApproved approved)
            {
                payment.Status = PaymentStatus.Succeeded;
                payment.ProviderReference = approved.Reference;
                AuditTrail.Record(db, payment, PaymentStatus.Pending, "charged by the provider", actor, now);
                db.AddToOutbox(EventStreams.Payments, new PaymentSucceeded(payment.OrderId, payment.Id, payment.Amount, payment.Currency), now);
                if (await db.Orders.AsNoTracking().AnyAsync(o => o.OrderId == payment.OrderId && o.Status == OrderStatus.Cancelled, token))
                {
                    refundId = refunding.Open(payment, "the order was cancelled while it was being charged", actor, now).Id;
                }

                return new Charged(payment);
            }

            var reason = ((ChargeDeclined)outcome).Reason;
            payment.Status = PaymentStatus.Failed;
            payment.FailureReason = reason;
            AuditTrail.Record(db, payment, PaymentStatus.Pending, reason, actor, now);
            db.AddToOutbox(EventStreams.Payments, new PaymentFailed(payment.OrderId, payment.Id, reason), now);
            return new Declined(payment);
        }, ct);
        relay.Notify();
        if (refundId is { } id)
        {
            await refunding.ExecuteAsync(id, actor, ct);
        }

        LogSettled(logger, paymentId, result is Charged ? "charged" : "declined");
        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The provider did not answer for payment {PaymentId} of order {OrderId}; it stays Pending until a retry or the recovery job settles it")]
    private static partial void LogProviderUnavailable(ILogger logger, Exception exception, Guid paymentId, Guid orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment {PaymentId} settled: {Status}")]
    private static partial void LogSettled(ILogger logger, Guid paymentId, string status);
}
