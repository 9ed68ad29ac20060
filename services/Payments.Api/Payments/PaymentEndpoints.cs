using System.Security.Claims;
using Ecommerce.ServiceDefaults.Auth;
using Ecommerce.ServiceDefaults.Problems;
using Ecommerce.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;
using Payments.Api.Reconciliation;

namespace Payments.Api.Payments;

/// <summary>
/// <c>/api/payments</c>: the charge ordering asks for (service tokens only), and the admin's view of payments,
/// refunds, the audit trail and reconciliation. Refunds are not an endpoint: a cancellation (an event) refunds.
/// </summary>
public static class PaymentEndpoints
{
    public static void MapPayments(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/api/payments").WithTags("Payments");
        payments.MapPost("/charges", Charge).RequireAuthorization(Policies.Service);
        var admin = payments.MapGroup("").RequireAuthorization(Policies.Admin);
        admin.MapGet("/orders/{orderId:guid}", ForOrder);
        admin.MapGet("/orders/{orderId:guid}/audit", Audit);
        admin.MapGet("/reconciliation", Reconcile);
    }

    private static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> Charge(ChargeOrderRequest request, ClaimsPrincipal caller,
        Charging charging, CancellationToken ct)
    {
        var (command, field, error) = PaymentRules.Validate(request);
        if (command is null)
        {
            return ValidationProblems.Field(field!, error!);
        }

        var result = await charging.ChargeAsync(command, $"service:{caller.FindFirstValue("email") ?? "unknown"}", ct);
        return result switch
        {
            Charged c => TypedResults.Ok(PaymentResponse.From(c.Payment)),
            Declined d => Problem.Of(402, "payment-declined", "Payment declined", d.Payment.FailureReason ?? "Declined.", Extensions(d.Payment)),
            InProgress p => Problem.Of(409, "payment-in-progress", "A payment of this order is in progress",
                "Another attempt to pay this order is with the provider; read the order again shortly.", Extensions(p.Payment, retryAfterSeconds: 1)),
            AlreadyCharged a => Problem.Of(409, "already-charged", "This order was already charged",
                $"The order was charged by payment {a.Payment.Id} ({a.Payment.Status}); it is never charged twice.", Extensions(a.Payment)),
            NotPayable n => Problem.Of(409, "order-not-payable", "The order cannot be paid", n.Reason),
            AttemptKeyReused => Problem.Of(422, "idempotency-key-reused", "Idempotency key reused",
                "This Idempotency-Key was already used to pay this order with a different amount or payment method."),
            ProviderUnavailable u => Problem.Of(503, "provider-unavailable", "The payment provider did not answer",
                "Whether the card was charged is not known yet; retry with the same Idempotency-Key — it is never charged twice.",
                Extensions(u.Payment, retryAfterSeconds: 2)),
            _ => throw new InvalidOperationException($"Unexpected charge result {result.GetType().Name}."),
        };
    }

    private static Dictionary<string, object?> Extensions(Payment payment, int? retryAfterSeconds = null)
    {
        var extensions = new Dictionary<string, object?> { ["paymentId"] = payment.Id, ["paymentStatus"] = payment.Status.ToString() };
        if (retryAfterSeconds is { } seconds) extensions["retryAfterSeconds"] = seconds;
        return extensions;
    }

    private static async Task<Ok<OrderPaymentsResponse>> ForOrder(Guid orderId, PaymentsDb db, CancellationToken ct)
    {
        var payments = await db.Payments.AsNoTracking().Where(p => p.OrderId == orderId).OrderBy(p => p.CreatedAt).ToListAsync(ct);
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        var keys = payments.Select(p => p.Id.ToString()).ToList();
        var providerCharges = await db.LedgerCharges.AsNoTracking().CountAsync(c => keys.Contains(c.IdempotencyKey), ct);
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == orderId, ct);
        return TypedResults.Ok(new OrderPaymentsResponse(orderId, order?.Status.ToString(), payments.Select(PaymentResponse.From).ToList(),
            refunds.Select(RefundResponse.From).ToList(), providerCharges));
    }

    private static async Task<Ok<List<AuditEntryResponse>>> Audit(Guid orderId, PaymentsDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Audit.AsNoTracking().Where(a => a.OrderId == orderId).OrderBy(a => a.Id)
            .Select(a => new AuditEntryResponse(a.Id, a.PaymentId, a.RefundId, a.Subject, a.OldStatus, a.NewStatus, a.Reason, a.Actor, a.RequestId, a.At))
            .ToListAsync(ct));

    private static async Task<Ok<ReconciliationReport>> Reconcile(Reconciler reconciler, CancellationToken ct) =>
        TypedResults.Ok(await reconciler.RunAsync(ct));
}
