namespace Payments.Api.Provider;

public sealed record ChargeRequest(string IdempotencyKey, decimal Amount, string Currency, string Method);

public abstract record ChargeOutcome;

public sealed record ChargeApproved(string Reference) : ChargeOutcome;

public sealed record ChargeDeclined(string Reason) : ChargeOutcome;

/// <summary>
/// The provider did not answer (timeout, outage): whether it charged is unknown. Retrying with the same idempotency
/// key is always safe — the provider charges a key at most once — and <see cref="IPaymentProvider.FindChargeAsync"/> tells.
/// </summary>
public sealed class ProviderUnavailableException(string message) : Exception(message);

public sealed record LedgerEntry(string IdempotencyKey, string Reference, decimal Amount, DateTimeOffset At);

/// <param name="ChargeReference">The charge this refund gave back.</param>
public sealed record LedgerRefundEntry(string IdempotencyKey, string ChargeReference, decimal Amount, DateTimeOffset At);

/// <summary>
/// A card payment provider, the way real ones work: every call carries an idempotency key, and the same key never
/// charges (or refunds) twice, even when the first answer was lost.
/// </summary>
public interface IPaymentProvider
{
    Task<ChargeOutcome> ChargeAsync(ChargeRequest request, CancellationToken ct);

    /// <summary>The charge made under this key, or null when the provider never took one.</summary>
    Task<ChargeApproved?> FindChargeAsync(string idempotencyKey, CancellationToken ct);

    /// <returns>The refund's reference.</returns>
    Task<string> RefundAsync(string idempotencyKey, string chargeReference, decimal amount, CancellationToken ct);

    /// <summary>Everything the provider charged and refunded, for reconciliation.</summary>
    Task<(IReadOnlyList<LedgerEntry> Charges, IReadOnlyList<LedgerRefundEntry> Refunds)> LedgerAsync(CancellationToken ct);
}
