using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ecommerce.Contracts.Events;

/// <summary>
/// Events other contexts react to. Each is published once per state change through the producer's
/// outbox; consumers must be idempotent (delivery is at-least-once).
/// Evolving them (docs/events.md): an additive change (a new optional property) keeps the type and its
/// <see cref="EventVersion"/>, since older readers ignore what they do not know; a breaking change (a renamed, removed or
/// retyped property, a new meaning) is a NEW type, published alongside the old one until no consumer needs it.
/// Consumers acknowledge and skip a type they do not know.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(ProductUpserted), nameof(ProductUpserted))]
[JsonDerivedType(typeof(ProductDeleted), nameof(ProductDeleted))]
[JsonDerivedType(typeof(StockChanged), nameof(StockChanged))]
[JsonDerivedType(typeof(OrderPlaced), nameof(OrderPlaced))]
[JsonDerivedType(typeof(OrderPaid), nameof(OrderPaid))]
[JsonDerivedType(typeof(OrderCancelled), nameof(OrderCancelled))]
[JsonDerivedType(typeof(OrderShipped), nameof(OrderShipped))]
[JsonDerivedType(typeof(PaymentSucceeded), nameof(PaymentSucceeded))]
[JsonDerivedType(typeof(PaymentFailed), nameof(PaymentFailed))]
[JsonDerivedType(typeof(PaymentRefunded), nameof(PaymentRefunded))]
public abstract record IntegrationEvent
{
    /// <summary>The schema revision of this event's type, written in every payload (<c>"eventVersion"</c>; not
    /// <c>Version</c>, which products' events use for the product's own version). Additive changes keep it.</summary>
    public virtual int EventVersion => 1;
}

public sealed record VariantSnapshot(string Sku, IReadOnlyDictionary<string, JsonElement> Attributes, decimal? Price);

public sealed record ProductSnapshot(
    Guid Id, string Sku, string Name, string Description, string Brand, string Category, decimal Price, string Currency,
    IReadOnlyDictionary<string, JsonElement> Attributes, IReadOnlyList<VariantSnapshot> Variants, IReadOnlyList<string> Images,
    string Status, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The full product after a create or update; <c>Version</c> orders them (a late older one must not win).</summary>
public sealed record ProductUpserted(ProductSnapshot Product) : IntegrationEvent;

/// <summary>The product is gone; <c>VariantSkus</c> lists the variant skus that went with it.</summary>
public sealed record ProductDeleted(Guid ProductId, string Sku, long Version, IReadOnlyList<string> VariantSkus) : IntegrationEvent;

public sealed record StockChanged(string Sku, int Available) : IntegrationEvent;

public sealed record OrderedLine(string Sku, Guid ProductId, int Quantity, decimal UnitPrice);

public sealed record OrderPlaced(Guid OrderId, Guid CustomerId, string? CartId, IReadOnlyList<OrderedLine> Lines, decimal Total, string Currency) : IntegrationEvent;

public sealed record OrderPaid(Guid OrderId, decimal Amount, string Currency) : IntegrationEvent;

public sealed record OrderCancelled(Guid OrderId, string Reason) : IntegrationEvent;

public sealed record OrderShipped(Guid OrderId, string TrackingNumber) : IntegrationEvent;

/// <summary>The provider charged the order's amount; <c>PaymentId</c> is the payments service's id for it.</summary>
public sealed record PaymentSucceeded(Guid OrderId, Guid PaymentId, decimal Amount, string Currency) : IntegrationEvent;

/// <summary>The provider declined (or never took) the charge; the order stays payable.</summary>
public sealed record PaymentFailed(Guid OrderId, Guid PaymentId, string Reason) : IntegrationEvent;

/// <summary>The charge was given back in full (the order was cancelled, or turned out not payable when the charge landed).</summary>
public sealed record PaymentRefunded(Guid OrderId, Guid PaymentId, Guid RefundId, decimal Amount, string Currency, string Reason) : IntegrationEvent;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowOutOfOrderMetadataProperties = true)] // jsonb reorders keys
[JsonSerializable(typeof(IntegrationEvent))]
public sealed partial class IntegrationEventJson : JsonSerializerContext;
