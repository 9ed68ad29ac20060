namespace Ordering.Api.Orders;

public enum OrderStatus { Placed, Paid, Shipped, Delivered, Cancelled }

/// <summary>
/// The order aggregate, rebuilt by replaying its events. Every command asks it first whether the
/// transition is allowed: Placed → Paid → Shipped → Delivered, or Cancelled from Placed or Paid.
/// </summary>
public sealed class Order
{
    public Guid Id { get; private set; }
    public Guid CustomerId { get; private set; }
    public OrderStatus Status { get; private set; }
    public IReadOnlyList<OrderLine> Lines { get; private set; } = [];
    public decimal Total { get; private set; }
    public string Currency { get; private set; } = "";
    public ShippingAddress? ShippingAddress { get; private set; }
    public DateTimeOffset PlacedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset ReservedUntil { get; private set; }
    public string? PaymentId { get; private set; }
    public string? TrackingNumber { get; private set; }
    public string? CancellationReason { get; private set; }
    public int Version { get; private set; }

    public static Order? Replay(Guid id, IEnumerable<(OrderEvent Event, DateTimeOffset At)> history)
    {
        Order? order = null;
        foreach (var (e, at) in history)
        {
            order ??= new Order { Id = id };
            order.Apply(e, at);
        }

        return order;
    }

    public void Apply(OrderEvent e, DateTimeOffset at)
    {
        switch (e)
        {
            case OrderPlaced placed:
                CustomerId = placed.CustomerId;
                Lines = placed.Lines;
                Total = placed.Total;
                Currency = placed.Currency;
                ShippingAddress = placed.ShippingAddress;
                ReservedUntil = placed.ReservedUntil;
                PlacedAt = at;
                Status = OrderStatus.Placed;
                break;
            case OrderPaid paid:
                PaymentId = paid.PaymentId;
                Status = OrderStatus.Paid;
                break;
            case OrderShipped shipped:
                TrackingNumber = shipped.TrackingNumber;
                Status = OrderStatus.Shipped;
                break;
            case OrderDelivered:
                Status = OrderStatus.Delivered;
                break;
            case OrderCancelled cancelled:
                CancellationReason = cancelled.Reason;
                Status = OrderStatus.Cancelled;
                break;
        }

        UpdatedAt = at;
        Version++;
    }

    /// <returns>Null when allowed, otherwise why not.</returns>
    public string? CannotPay(DateTimeOffset now) => Status switch
    {
        OrderStatus.Placed when now > ReservedUntil => "The reservation for this order has expired.",
        OrderStatus.Placed => null,
        _ => $"An order that is {Status} cannot be paid.",
    };

    public string? CannotCancel() =>
        Status is OrderStatus.Placed or OrderStatus.Paid ? null : $"An order that is {Status} cannot be cancelled.";

    public string? CannotShip() =>
        Status is OrderStatus.Paid ? null : $"An order that is {Status} cannot be shipped; it must be Paid.";

    public string? CannotDeliver() =>
        Status is OrderStatus.Shipped ? null : $"An order that is {Status} cannot be delivered; it must be Shipped.";
}
