namespace Ordering.Api.Inventory;

/// <summary>Stock of one sku in one warehouse. Available = on hand − reserved, never negative (a CHECK says so too).</summary>
public sealed class StockLevel
{
    public required string Sku { get; set; }
    public required string Warehouse { get; set; }
    public int OnHand { get; set; }
    public int Reserved { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum ReservationStatus { Active, Released, Fulfilled }

/// <summary>
/// Units held for an order until it is paid and shipped, cancelled, or the hold expires. An Active reservation either
/// expires at <see cref="ExpiresAt"/> (the order is unpaid) or is held (<see cref="IsHeld"/>: paid, kept until shipped
/// or cancelled, and out of the expiry job's reach).
/// </summary>
public sealed class Reservation
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public required string Sku { get; set; }
    public required string Warehouse { get; set; }
    public int Quantity { get; set; }
    /// <summary>When an unpaid order's hold runs out; null once the order is paid and the units are held for it.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    public ReservationStatus Status { get; set; }

    /// <summary>Kept for a paid order with no deadline (not mapped: a get-only property).</summary>
    public bool IsHeld => Status == ReservationStatus.Active && ExpiresAt is null;
}
