using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json.Serialization;

namespace Ordering.Api.Orders;

public sealed record OrderLine(string Sku, Guid ProductId, string Name, int Quantity, decimal UnitPrice, decimal LineTotal);

public sealed record ShippingAddress(string Name, string Line1, string? Line2, string City, string PostalCode, string Country);

/// <summary>What happened to an order: the only thing stored about it. State is rebuilt from these.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(OrderPlaced), nameof(OrderPlaced))]
[JsonDerivedType(typeof(OrderPaid), nameof(OrderPaid))]
[JsonDerivedType(typeof(OrderShipped), nameof(OrderShipped))]
[JsonDerivedType(typeof(OrderDelivered), nameof(OrderDelivered))]
[JsonDerivedType(typeof(OrderCancelled), nameof(OrderCancelled))]
[JsonDerivedType(typeof(OrderPaymentFailed), nameof(OrderPaymentFailed))]
[JsonDerivedType(typeof(OrderRefunded), nameof(OrderRefunded))]
public abstract record OrderEvent;

public sealed record OrderPlaced(
    Guid CustomerId, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency,
    ShippingAddress ShippingAddress, DateTimeOffset ReservedUntil, string? CartId = null) : OrderEvent;

public sealed record OrderPaid(string PaymentId, decimal Amount, string Currency) : OrderEvent;

public sealed record OrderShipped(string TrackingNumber) : OrderEvent;

public sealed record OrderDelivered : OrderEvent;

public sealed record OrderCancelled(string Reason) : OrderEvent;

/// <summary>An attempt to pay was declined (or never reached the card); the order stays payable.</summary>
public sealed record OrderPaymentFailed(string PaymentId, string Reason) : OrderEvent;

/// <summary>The payment was given back (the order was cancelled after, or while, it was charged).</summary>
public sealed record OrderRefunded(string PaymentId, Guid RefundId, decimal Amount, string Currency) : OrderEvent;

/// <summary>One row of the append-only event table.</summary>
public sealed class StoredEvent
{
    public long Position { get; set; }
    public Guid StreamId { get; set; }
    public int Version { get; set; }
    public required string Type { get; set; }
    public required string Data { get; set; }
    public required string Metadata { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>Who caused an event (a user, or the service itself) and the trace it was part of; stored beside the event.</summary>
public sealed record EventMetadata(Guid? ActorId, string? ActorRole, string? CorrelationId)
{
    /// <summary>The service on its own account: the expiry job, or an event another service published.</summary>
    public static readonly EventMetadata ForSystem = new(null, "system", null);

    public static EventMetadata For(ClaimsPrincipal user) =>
        new(user.GetUserId(), user.FindFirstValue(Ecommerce.Authentication.TokenIssuer.RoleClaim), Activity.Current?.TraceId.ToString());
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, AllowOutOfOrderMetadataProperties = true)] // jsonb reorders keys
[JsonSerializable(typeof(OrderEvent))]
[JsonSerializable(typeof(EventMetadata))]
public sealed partial class OrderEventJson : JsonSerializerContext;
