using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;

namespace Payments.Api.Provider;

/// <summary>Settings under <c>Payments:Provider</c>.</summary>
public sealed class SimulatedProviderOptions
{
    /// <summary>How long each call takes, like a network round trip to a real provider.</summary>
    public int LatencyMilliseconds { get; set; } = 20;
}

public sealed class LedgerCharge
{
    public required string IdempotencyKey { get; set; }
    public required string Reference { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public required string Method { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class LedgerRefund
{
    public required string IdempotencyKey { get; set; }
    public required string ChargeReference { get; set; }
    public required string Reference { get; set; }
    public decimal Amount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A provider that behaves like a real one for tests and local runs, steered by test card tokens
/// (docs/payments.md): <c>tok_visa</c> (and any other) approves, <c>tok_declined</c> / <c>tok_insufficient_funds</c>
/// decline, <c>tok_timeout_once</c> charges but loses its first answer, <c>tok_provider_down</c> fails before charging.
/// Its ledger (schema <c>simulated_provider</c>) is its own books, so tests count real charges there.
/// </summary>
public sealed class SimulatedProvider(IServiceScopeFactory scopes, SimulatedProviderOptions options, TimeProvider time) : IPaymentProvider
{
    public const string DeclinedCard = "tok_declined";
    public const string InsufficientFundsCard = "tok_insufficient_funds";
    public const string TimeoutOnceCard = "tok_timeout_once";
    public const string ProviderDownCard = "tok_provider_down";

    // Keys whose first answer was already "lost": the next call with the key gets its answer.
    private readonly ConcurrentDictionary<string, bool> _answerLost = new(StringComparer.Ordinal);

    public async Task<ChargeOutcome> ChargeAsync(ChargeRequest request, CancellationToken ct)
    {
        await LatencyAsync(ct);
        switch (request.Method)
        {
            case ProviderDownCard:
                throw new ProviderUnavailableException("The (simulated) provider is unavailable; nothing was charged.");
            case DeclinedCard:
                return new ChargeDeclined("The card was declined.");
            case InsufficientFundsCard:
                return new ChargeDeclined("The card has insufficient funds.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDb>();
        var reference = $"ch_{Guid.CreateVersion7():N}";
        // The same key never charges twice: the first INSERT wins, every later call reads what it charged.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO simulated_provider.charges (idempotency_key, reference, amount, currency, method, created_at)
            VALUES ({request.IdempotencyKey}, {reference}, {request.Amount}, {request.Currency}, {request.Method}, {time.GetUtcNow()})
            ON CONFLICT (idempotency_key) DO NOTHING
            """, ct);
        var charge = await db.LedgerCharges.AsNoTracking().SingleAsync(c => c.IdempotencyKey == request.IdempotencyKey, ct);
        if (charge.Amount != request.Amount || charge.Currency != request.Currency)
        {
            return new ChargeDeclined("The idempotency key was used before for a different amount.");
        }

        if (request.Method == TimeoutOnceCard && _answerLost.TryAdd(request.IdempotencyKey, true))
        {
            throw new ProviderUnavailableException("The (simulated) provider charged but its answer timed out.");
        }

        return new ChargeApproved(charge.Reference);
    }

    public async Task<ChargeApproved?> FindChargeAsync(string idempotencyKey, CancellationToken ct)
    {
        await LatencyAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDb>();
        var charge = await db.LedgerCharges.AsNoTracking().SingleOrDefaultAsync(c => c.IdempotencyKey == idempotencyKey, ct);
        return charge is null ? null : new ChargeApproved(charge.Reference);
    }

    public async Task<string> RefundAsync(string idempotencyKey, string chargeReference, decimal amount, CancellationToken ct)
    {
        await LatencyAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDb>();
        var reference = $"re_{Guid.CreateVersion7():N}";
        // One refund per key and per charge: a charge is refunded in full, once.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO simulated_provider.refunds (idempotency_key, charge_reference, reference, amount, created_at)
            SELECT {idempotencyKey}, {chargeReference}, {reference}, {amount}, {time.GetUtcNow()}
            WHERE EXISTS (SELECT 1 FROM simulated_provider.charges WHERE reference = {chargeReference} AND amount = {amount})
            ON CONFLICT DO NOTHING
            """, ct);
        var refund = await db.LedgerRefunds.AsNoTracking().SingleOrDefaultAsync(r => r.ChargeReference == chargeReference, ct)
            ?? throw new InvalidOperationException($"The provider has no charge {chargeReference} of {amount} to refund.");
        return refund.Reference;
    }

    public async Task<(IReadOnlyList<LedgerEntry> Charges, IReadOnlyList<LedgerRefundEntry> Refunds)> LedgerAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDb>();
        var charges = await db.LedgerCharges.AsNoTracking().OrderBy(c => c.CreatedAt)
            .Select(c => new LedgerEntry(c.IdempotencyKey, c.Reference, c.Amount, c.CreatedAt)).ToListAsync(ct);
        var refunds = await db.LedgerRefunds.AsNoTracking().OrderBy(r => r.CreatedAt)
            .Select(r => new LedgerRefundEntry(r.IdempotencyKey, r.ChargeReference, r.Amount, r.CreatedAt)).ToListAsync(ct);
        return (charges, refunds);
    }

    private Task LatencyAsync(CancellationToken ct) =>
        options.LatencyMilliseconds > 0 ? Task.Delay(TimeSpan.FromMilliseconds(options.LatencyMilliseconds), time, ct) : Task.CompletedTask;
}
