using System.ComponentModel.DataAnnotations;
namespace Ordering.Api.Orders;

public sealed record PlaceOrderLine(string? Sku, int? Quantity);

/// <summary>What a client may send. Prices, totals and stock are not in it: the server looks them up.</summary>
public sealed record PlaceOrderRequest(string? CartId, List<PlaceOrderLine>? Lines, ShippingAddress? ShippingAddress);

public sealed record OrderResponse(
    Guid Id, Guid CustomerId, string Status, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency,
    ShippingAddress? ShippingAddress, DateTimeOffset PlacedAt, DateTimeOffset UpdatedAt, DateTimeOffset ReservedUntil,
    int Version, string? PaymentId, string? TrackingNumber, string? CancellationReason, decimal RefundedAmount = 0)
{
    public static OrderResponse From(Order o) => new(
        o.Id, o.CustomerId, o.Status.ToString(), o.Lines, o.Total, o.Currency, o.ShippingAddress, o.PlacedAt, o.UpdatedAt,
        o.ReservedUntil, o.Version, o.PaymentId, o.TrackingNumber, o.CancellationReason, o.RefundedAmount);
}

public sealed record OrderSummaryResponse(Guid Id, string Status, decimal Total, string Currency, int LineCount, DateTimeOffset PlacedAt, DateTimeOffset UpdatedAt);

public sealed record OrderPage(IReadOnlyList<OrderSummaryResponse> Items, string? NextCursor);

public sealed record OrderHistoryEntry(int Version, string Type, DateTimeOffset OccurredAt, System.Text.Json.JsonElement Data, System.Text.Json.JsonElement Metadata);

public sealed record ShipRequest(string? TrackingNumber);

/// <summary>Settings under <c>Ordering</c>.</summary>
public sealed class OrderingOptions
{
    /// <summary>How long placed-but-unpaid orders hold their stock.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:00:00.010", "365.00:00:00")]

    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]

    public TimeSpan ProjectionInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between looks of the summary projector while no order event commits (a commit wakes it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ProjectionIdleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>As many lines as a cart may hold (Cart:MaxLines), so every valid cart can be checked out.</summary>
    [Range(1, 10_000)]
    public int MaxLines { get; set; } = 100;

    [Range(1, 1_000_000)]

    public int MaxQuantity { get; set; } = 99;
}

public sealed class IdempotencyRecord
{
    public Guid CustomerId { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public Guid? OrderId { get; set; }
    public string? ResponseBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class OrderSummary
{
    public Guid OrderId { get; set; }
    public Guid CustomerId { get; set; }
    public required string Status { get; set; }
    public decimal Total { get; set; }
    public required string Currency { get; set; }
    public int LineCount { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}
