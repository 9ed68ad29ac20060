namespace Payments.Api.Payments;

public enum PaymentStatus { Pending, Succeeded, Failed, Refunded }

public enum RefundStatus { Pending, Succeeded }

/// <summary>
/// One attempt to charge an order. Pending until the provider answers; Succeeded or Failed then; Refunded when
/// the charge was given back. At most one attempt per order is ever Pending, Succeeded or Refunded (a unique index).
/// </summary>
public sealed class Payment
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public Guid CustomerId { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public required string Method { get; set; }
    public PaymentStatus Status { get; set; }

    /// <summary>The caller's Idempotency-Key for this attempt: the same key is the same attempt.</summary>
    public required string AttemptKey { get; set; }

    public string? ProviderReference { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class Refund
{
    public Guid Id { get; set; }
    public Guid PaymentId { get; set; }
    public Guid OrderId { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public RefundStatus Status { get; set; }
    public required string Reason { get; set; }
    public string? ProviderReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One status change of a payment or a refund: never updated, never deleted (the database refuses it).</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public Guid PaymentId { get; set; }
    public Guid? RefundId { get; set; }

    /// <summary><c>payment</c> or <c>refund</c>.</summary>
    public required string Subject { get; set; }

    public string? OldStatus { get; set; }
    public required string NewStatus { get; set; }
    public required string Reason { get; set; }

    /// <summary>Who caused it: <c>customer:{id}</c>, <c>system:{job}</c>, <c>event:{type}</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>The trace id of the request or job that made the change.</summary>
    public string? RequestId { get; set; }

    public DateTimeOffset At { get; set; }
}

public enum OrderStatus { Placed, Paid, Shipped, Cancelled }

/// <summary>What payments has heard of an order from ordering's events: enough to refund and to reconcile.</summary>
public sealed class OrderState
{
    public Guid OrderId { get; set; }
    public OrderStatus Status { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
