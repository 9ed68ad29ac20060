using System.Diagnostics;
using Payments.Api.Infrastructure;

namespace Payments.Api.Payments;

/// <summary>Writes the audit row of a status change into the same unit of work as the change itself.</summary>
public static class AuditTrail
{
    public static void Record(PaymentsDb db, Payment payment, PaymentStatus? from, string reason, string actor, DateTimeOffset at) =>
        db.Audit.Add(new AuditEntry
        {
            OrderId = payment.OrderId, PaymentId = payment.Id, Subject = "payment", OldStatus = from?.ToString(),
            NewStatus = payment.Status.ToString(), Reason = Clip(reason), Actor = actor, RequestId = RequestId(), At = at,
        });

    public static void Record(PaymentsDb db, Refund refund, RefundStatus? from, string reason, string actor, DateTimeOffset at) =>
        db.Audit.Add(new AuditEntry
        {
            OrderId = refund.OrderId, PaymentId = refund.PaymentId, RefundId = refund.Id, Subject = "refund", OldStatus = from?.ToString(),
            NewStatus = refund.Status.ToString(), Reason = Clip(reason), Actor = actor, RequestId = RequestId(), At = at,
        });

    private static string? RequestId() => Activity.Current?.TraceId.ToString();

    private static string Clip(string reason) => reason.Length <= 500 ? reason : reason[..500];
}
