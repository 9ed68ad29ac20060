using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;
using Payments.Api.Payments;
using Payments.Api.Provider;

namespace Payments.Api.Reconciliation;

/// <param name="Subject">The payment id, the provider's idempotency key, or the order id the finding is about.</param>
public sealed record Finding(string Kind, Guid? OrderId, string Subject, decimal? Amount, string Detail);

/// <param name="Findings">Empty when the provider's books, the payments table and the orders agree.</param>
public sealed record ReconciliationReport(DateTimeOffset CheckedAt, int ProviderCharges, int ProviderRefunds, int Payments, int Orders,
    IReadOnlyList<Finding> Findings)
{
    public bool Balanced => Findings.Count == 0;

    /// <summary>Money taken with nothing bought: a charge no payment stands for, or a payment whose order is not paid.</summary>
    public IReadOnlyList<Finding> ChargesWithoutPaidOrder => Findings.Where(f => f.Kind is Reconciler.ChargeWithoutPayment or Reconciler.ChargeWithoutPaidOrder).ToList();

    public IReadOnlyList<Finding> PaidOrdersWithoutCharge => Findings.Where(f => f.Kind == Reconciler.PaidOrderWithoutCharge).ToList();

    /// <summary>Money owed back: a cancelled order still charged, or a refund our books and the provider's disagree on.</summary>
    public IReadOnlyList<Finding> MissingRefunds => Findings.Where(f => f.Kind is Reconciler.RefundMissing or Reconciler.RefundMismatch).ToList();
}

/// <summary>
/// Compares three books: the provider's ledger, the payments table, and the orders as ordering's events told them.
/// Reports every charge without a succeeded payment, succeeded payment without a paid order, paid order without a
/// charge, cancelled order whose charge was not given back, and refund the provider and our table disagree on.
/// What changed within <see cref="PaymentOptions.ReconcileGrace"/> is still in flight and not judged.
/// </summary>
public sealed class Reconciler(PaymentsDb db, IPaymentProvider provider, PaymentOptions options, TimeProvider time)
{
    public const string ChargeWithoutPayment = "charge-without-payment";
    public const string ChargeWithoutPaidOrder = "charge-without-paid-order";
    public const string PaidOrderWithoutCharge = "paid-order-without-charge";
    public const string RefundMissing = "refund-missing";
    public const string RefundMismatch = "refund-mismatch";

    public async Task<ReconciliationReport> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var settled = now - options.ReconcileGrace;
        var (charges, providerRefunds) = await provider.LedgerAsync(ct);
        var payments = await db.Payments.AsNoTracking().ToDictionaryAsync(p => p.Id.ToString(), ct);
        var refunds = await db.Refunds.AsNoTracking().ToListAsync(ct);
        var orders = await db.Orders.AsNoTracking().ToDictionaryAsync(o => o.OrderId, ct);
        var findings = new List<Finding>();

        foreach (var charge in charges.Where(c => c.At < settled))
        {
            if (!payments.TryGetValue(charge.IdempotencyKey, out var p) || p.Status is not (PaymentStatus.Succeeded or PaymentStatus.Refunded))
            {
                findings.Add(new(ChargeWithoutPayment, p?.OrderId, charge.IdempotencyKey, charge.Amount,
                    p is null ? "The provider charged a key no payment has." : $"The provider charged, the payment is {p.Status}."));
            }
        }

        var charged = charges.Select(c => c.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
        foreach (var p in payments.Values.Where(p => p.UpdatedAt < settled))
        {
            var order = orders.GetValueOrDefault(p.OrderId);
            if (p.Status is PaymentStatus.Succeeded or PaymentStatus.Refunded && !charged.Contains(p.Id.ToString()))
            {
                findings.Add(new(ChargeWithoutPayment, p.OrderId, p.Id.ToString(), p.Amount, $"The payment is {p.Status} but the provider has no charge for it."));
            }

            if (p.Status == PaymentStatus.Succeeded && order?.Status is not (OrderStatus.Paid or OrderStatus.Shipped))
            {
                findings.Add(order?.Status == OrderStatus.Cancelled
                    ? new(RefundMissing, p.OrderId, p.Id.ToString(), p.Amount, "The order is cancelled and its charge was not given back.")
                    : new(ChargeWithoutPaidOrder, p.OrderId, p.Id.ToString(), p.Amount, $"Charged, but the order is {order?.Status.ToString() ?? "unknown"}."));
            }
        }

        var succeededByOrder = payments.Values.Where(p => p.Status == PaymentStatus.Succeeded).Select(p => p.OrderId).ToHashSet();
        foreach (var order in orders.Values.Where(o => o.UpdatedAt < settled && o.Status is OrderStatus.Paid or OrderStatus.Shipped))
        {
            if (!succeededByOrder.Contains(order.OrderId))
            {
                findings.Add(new(PaidOrderWithoutCharge, order.OrderId, order.OrderId.ToString(), null, $"The order is {order.Status} and no payment of it stands."));
            }
        }

        var refundedAtProvider = providerRefunds.ToDictionary(r => r.IdempotencyKey, StringComparer.Ordinal);
        foreach (var refund in refunds.Where(r => r.UpdatedAt < settled))
        {
            var atProvider = refundedAtProvider.ContainsKey(refund.Id.ToString());
            if (refund.Status == RefundStatus.Succeeded != atProvider || refund.Status == RefundStatus.Pending)
            {
                findings.Add(new(RefundMismatch, refund.OrderId, refund.Id.ToString(), refund.Amount,
                    $"The refund is {refund.Status}; the provider {(atProvider ? "refunded it" : "has no refund for it")}."));
            }
        }

        var ours = refunds.Select(r => r.Id.ToString()).ToHashSet(StringComparer.Ordinal);
        findings.AddRange(providerRefunds.Where(r => r.At < settled && !ours.Contains(r.IdempotencyKey))
            .Select(r => new Finding(RefundMismatch, null, r.IdempotencyKey, r.Amount, "The provider refunded a key no refund has.")));
        return new ReconciliationReport(now, charges.Count, providerRefunds.Count, payments.Count, orders.Count, findings);
    }
}
