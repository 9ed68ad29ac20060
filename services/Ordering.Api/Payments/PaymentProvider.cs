namespace Ordering.Api.Payments;

public sealed record PaymentResult(bool Approved, string? PaymentId, string? DeclineReason);

public interface IPaymentProvider
{
    Task<PaymentResult> ChargeAsync(Guid orderId, decimal amount, string currency, CancellationToken cancellationToken);
}

/// <summary>Settings under <c>Payments</c>.</summary>
public sealed class PaymentOptions
{
    /// <summary>Share of charges declined, 0 to 1.</summary>
    public double DeclineRate { get; set; }

    public int LatencyMilliseconds { get; set; } = 20;
}

/// <summary>A stand-in payment provider: waits like a network call, then approves or declines at the configured rate.</summary>
public sealed class SimulatedPaymentProvider(PaymentOptions options, TimeProvider time) : IPaymentProvider
{
    public async Task<PaymentResult> ChargeAsync(Guid orderId, decimal amount, string currency, CancellationToken cancellationToken)
    {
        if (options.LatencyMilliseconds > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(options.LatencyMilliseconds), time, cancellationToken);
        }

#pragma warning disable CA5394 // Simulated declines need no cryptographic randomness.
        var declined = options.DeclineRate > 0 && Random.Shared.NextDouble() < options.DeclineRate;
#pragma warning restore CA5394
        return declined
            ? new PaymentResult(false, null, "The card was declined by the (simulated) issuer.")
            : new PaymentResult(true, $"pay_{Guid.CreateVersion7():N}", null);
    }
}
