using System.Security.Claims;
using Ecommerce.Authentication;
using Ecommerce.Http.Problems;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
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
        payments.MapGet("/", ForOrder).RequireAuthorization(Policies.SignedIn);
        payments.MapGet("/{id:guid}/audit", Audit).RequireAuthorization(Policies.Admin);
        payments.MapPost("/reconcile", Reconcile).RequireAuthorization(Policies.Admin);
    }

    private static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> Charge(ChargeOrderRequest request, ClaimsPrincipal caller,
        Charging charging, CancellationToken ct)
    {
        if (!PaymentRules.TryParse(request, out var command, out var refused))
        {
            return ValidationProblems.Field(refused.Field, refused.Message);
        }

        var result = await charging.ChargeAsync(command, $"service:{caller.FindFirstValue("email") ?? "unknown"}", ct);
        return result switch
        {
            Charged c => TypedResults.Ok(PaymentResponse.From(c.Payment, [])),
            Declined d => Problem.Of(ProblemTypes.PaymentDeclined, d.Payment.FailureReason ?? "Declined.", Extensions(d.Payment)),
            InProgress p => Problem.Of(ProblemTypes.PaymentInProgress,
                "Another attempt to pay this order is with the provider; read the order again shortly.", Extensions(p.Payment, retryAfterSeconds: 1)),
            AlreadyCharged a => Problem.Of(ProblemTypes.AlreadyCharged,
                $"The order was charged by payment {a.Payment.Id} ({PaymentResponse.StatusName(a.Payment.Status)}); it is never charged twice.", Extensions(a.Payment)),
            NotPayable n => Problem.Of(ProblemTypes.OrderNotPayable, n.Reason),
            AttemptKeyReused => Problem.Of(ProblemTypes.IdempotencyKeyReused,
                "This Idempotency-Key was already used to pay this order with a different amount or payment method."),
            ProviderUnavailable u => Problem.Of(ProblemTypes.ProviderUnavailable,
                "Whether the card was charged is not known yet; retry with the same Idempotency-Key — it is never charged twice.",
                Extensions(u.Payment, retryAfterSeconds: 2)),
            _ => throw new InvalidOperationException($"Unexpected charge result {result.GetType().Name}."),
        };
    }

    private static Dictionary<string, object?> Extensions(Payment payment, int? retryAfterSeconds = null)
    {
        var extensions = new Dictionary<string, object?> { ["paymentId"] = payment.Id, ["paymentStatus"] = PaymentResponse.StatusName(payment.Status) };
        if (retryAfterSeconds is { } seconds) extensions["retryAfterSeconds"] = seconds;
        return extensions;
    }

    /// <summary>An order's payments, each with its refunds: any order for an admin, their own orders for a customer.</summary>
    private static async Task<Results<Ok<PaymentList>, ProblemHttpResult>> ForOrder(Guid? orderId, ClaimsPrincipal user, PaymentsDb db, CancellationToken ct)
    {
        if (orderId is not { } id || id == Guid.Empty)
        {
            return ValidationProblems.Field("orderId", "An order id is required (?orderId=…).");
        }

        var query = db.Payments.AsNoTracking().Where(p => p.OrderId == id);
        if (!user.IsAdmin())
        {
            var customer = user.GetUserId();
            query = query.Where(p => p.CustomerId == customer);
        }

        var payments = await query.OrderBy(p => p.CreatedAt).Take(100).ToListAsync(ct);
        var paymentIds = payments.Select(p => p.Id).ToList();
        var refunds = await db.Refunds.AsNoTracking().Where(r => paymentIds.Contains(r.PaymentId)).ToListAsync(ct);
        var keys = paymentIds.Select(p => p.ToString()).ToList();
        var providerCharges = user.IsAdmin() ? await db.LedgerCharges.AsNoTracking().CountAsync(c => keys.Contains(c.IdempotencyKey), ct) : (int?)null;
        var orderStatus = user.IsAdmin() ? (await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == id, ct))?.Status.ToString() : null;
        return TypedResults.Ok(new PaymentList(
            payments.Select(p => PaymentResponse.From(p, refunds.Where(r => r.PaymentId == p.Id).Select(RefundResponse.From).ToList())).ToList(),
            orderStatus, providerCharges));
    }

    private static async Task<Results<Ok<List<AuditEntryResponse>>, ProblemHttpResult>> Audit(Guid id, PaymentsDb db, CancellationToken ct)
    {
        var rows = await db.Audit.AsNoTracking().Where(a => a.PaymentId == id).OrderBy(a => a.Id)
            .Select(a => new AuditEntryResponse(a.Id, a.OrderId, a.PaymentId, a.RefundId, a.Subject, a.OldStatus, a.NewStatus, a.Reason, a.Actor, a.RequestId, a.At))
            .ToListAsync(ct);
        return rows.Count == 0
            ? Problem.Of(ProblemTypes.NotFound, $"Payment {id} was not found.")
            : TypedResults.Ok(rows.Select(r => r with { OldStatus = r.OldStatus?.ToLowerInvariant(), NewStatus = r.NewStatus.ToLowerInvariant() }).ToList());
    }

    private static async Task<Ok<ReconciliationReport>> Reconcile(Reconciler reconciler, CancellationToken ct) =>
        TypedResults.Ok(await reconciler.RunAsync(ct));
}
