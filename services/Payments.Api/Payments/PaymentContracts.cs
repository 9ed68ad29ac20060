using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Ecommerce.Domain;
using Ecommerce.Http.Input;

namespace Payments.Api.Payments;

/// <summary>What ordering sends to charge an order. Every field is checked; the amount is the order's own total.</summary>
public sealed record ChargeOrderRequest(Guid? OrderId, Guid? CustomerId, decimal? Amount, string? Currency, string? PaymentMethod, string? AttemptKey);

/// <param name="Status"><c>pending</c>, <c>succeeded</c>, <c>failed</c> or <c>refunded</c>.</param>
public sealed record PaymentResponse(Guid Id, Guid OrderId, decimal Amount, string Currency, string Method, string Status,
    string? ProviderReference, string? FailureReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<RefundResponse> Refunds)
{
    public static PaymentResponse From(Payment p, IReadOnlyList<RefundResponse> refunds) =>
        new(p.Id, p.OrderId, p.Amount, p.Currency, p.Method, StatusName(p.Status), p.ProviderReference, p.FailureReason, p.CreatedAt, p.UpdatedAt, refunds);

    public static string StatusName(PaymentStatus status) => status.ToString().ToLowerInvariant();
}

public sealed record RefundResponse(Guid Id, Guid PaymentId, decimal Amount, string Currency, string Status, string Reason, string? ProviderReference,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RefundResponse From(Refund r) =>
        new(r.Id, r.PaymentId, r.Amount, r.Currency, r.Status.ToString().ToLowerInvariant(), r.Reason, r.ProviderReference, r.CreatedAt, r.UpdatedAt);
}

/// <param name="OrderStatus">What payments last heard of the order (admins only).</param>
/// <param name="ProviderCharges">How many charges the provider's ledger holds for these payments (admins only).</param>
public sealed record PaymentList(IReadOnlyList<PaymentResponse> Items, string? OrderStatus, int? ProviderCharges);

public sealed record AuditEntryResponse(long Id, Guid OrderId, Guid PaymentId, Guid? RefundId, string Subject, string? OldStatus, string NewStatus, string Reason,
    string Actor, string? RequestId, DateTimeOffset At);

/// <summary>A request field refused (as the client spelled it) and why.</summary>
public sealed record RefusedField(string Field, string Message);

public static partial class PaymentRules
{
    public const int MaxAttemptKeyLength = 160;
    public const decimal MaxAmount = Ecommerce.Domain.ChargeLimits.MaxAmount;

    /// <summary>
    /// Parses, rather than validates: either a command with every field present and within its rule, or the first
    /// field refused (in the order the request is read) and why.
    /// </summary>
    public static bool TryParse(ChargeOrderRequest r,
        [NotNullWhen(true)] out ChargeCommand? command, [NotNullWhen(false)] out RefusedField? refused)
    {
        if (r.OrderId is not { } orderId || orderId == Guid.Empty) return Refuse("orderId", "An order id is required.", out command, out refused);
        if (r.CustomerId is not { } customerId || customerId == Guid.Empty) return Refuse("customerId", "A customer id is required.", out command, out refused);
        if (r.Amount is not { } amount || amount <= 0 || amount > MaxAmount || decimal.Round(amount, 2) != amount)
            return Refuse("amount", $"A positive amount with at most 2 decimals, up to {MaxAmount}, is required.", out command, out refused);
        if (r.Currency is not { } currency || !CurrencyPattern().IsMatch(currency))
            return Refuse("currency", "An ISO 4217 currency code in upper case (e.g. EUR) is required.", out command, out refused);
        if (r.PaymentMethod is not { } method || !PaymentMethods.IsTestCardToken(method))
            return Refuse("paymentMethod", $"paymentMethod must be {PaymentMethods.Rule}.", out command, out refused);
        if (r.AttemptKey is not { } attemptKey || string.IsNullOrWhiteSpace(attemptKey) || attemptKey.Length > MaxAttemptKeyLength
            || TextRules.Error(attemptKey, TextKind.Identifier) is not null)
            return Refuse("attemptKey", $"An attempt key of 1 to {MaxAttemptKeyLength} visible characters is required.", out command, out refused);

        (command, refused) = (new ChargeCommand(orderId, customerId, amount, currency, method, attemptKey), null);
        return true;
    }

    private static bool Refuse(string field, string message,
        [NotNullWhen(true)] out ChargeCommand? command, [NotNullWhen(false)] out RefusedField? refused)
    {
        (command, refused) = (null, new RefusedField(field, message));
        return false;
    }

    [GeneratedRegex(@"^[A-Z]{3}\z")]
    private static partial Regex CurrencyPattern();
}
