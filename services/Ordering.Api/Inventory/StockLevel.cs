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

/// <summary>Units held for an order until it is paid and shipped, cancelled, or the hold expires.</summary>
public sealed class Reservation
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public required string Sku { get; set; }
    public required string Warehouse { get; set; }
    public int Quantity { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public ReservationStatus Status { get; set; }
}
