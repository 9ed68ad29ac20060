namespace Ordering.Api.Orders;

public enum OrderStatus { Placed, Paid, Shipped, Delivered, Cancelled }

/// <summary>
/// What the aggregate decided about a command: the event to append, the reason it cannot, or nothing to do because
/// it already happened (a payment event heard twice).
/// </summary>
public readonly record struct Decision(OrderEvent? Event, string? Refusal)
{
    public static Decision Append(OrderEvent e) => new(e, null);

    public static Decision Refuse(string reason) => new(null, reason);

    public static Decision AlreadyDone => new(null, null);
}

/// <summary>A line as the catalog priced it, before the order exists: the input of <see cref="Order.Place"/>.</summary>
public sealed record PricedLine(string Sku, Guid ProductId, string Name, int Quantity, decimal UnitPrice, string Currency);

/// <summary>
/// The order aggregate, rebuilt by replaying its events. Each transition is one method that guards it and returns
/// the event to append (or why not): Placed → Paid → Shipped → Delivered, or Cancelled from Placed or Paid.
/// Creation is one of them (<see cref="Place"/>). Handlers append what it returns; they never build order events themselves.
/// </summary>
public sealed class Order
{
    private readonly HashSet<string> _failedPayments = new(StringComparer.Ordinal);
    private readonly HashSet<Guid> _refunds = [];

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
    public decimal RefundedAmount { get; private set; }
    public string? TrackingNumber { get; private set; }
    public string? CancellationReason { get; private set; }
    public int Version { get; private set; }

    /// <summary>An order before its first event: what <see cref="Place"/>'s event is appended to (version 0).</summary>
    public static Order New(Guid id) => new() { Id = id };

    /// <summary>
    /// Checkout's decision: one order in one currency, its total the sum of its lines, holding its stock until
    /// <paramref name="reservedUntil"/>. The refusals are about the priced lines, so callers answer them as invalid requests.
    /// </summary>
    public static Decision Place(Guid customerId, IReadOnlyList<PricedLine> lines, ShippingAddress address, string? cartId, DateTimeOffset reservedUntil)
    {
        if (lines.Count == 0)
        {
            return Decision.Refuse("An order needs at least one line.");
        }

        if (lines.Any(l => l.Quantity < 1 || l.UnitPrice < 0))
        {
            return Decision.Refuse("Every line needs a quantity of at least 1 and a price of at least 0.");
        }

        if (lines.Select(l => l.Currency).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            return Decision.Refuse("All lines of one order must be priced in one currency.");
        }

        var orderLines = lines.Select(l => new OrderLine(l.Sku, l.ProductId, l.Name, l.Quantity, l.UnitPrice, l.UnitPrice * l.Quantity)).ToList();
        var total = orderLines.Sum(l => l.LineTotal);
        if (total > Ecommerce.Domain.ChargeLimits.MaxAmount)
        {
            // Payments would refuse the charge: an order nobody can pay must not hold stock.
            return Decision.Refuse($"The order's total {total} {lines[0].Currency} is over the largest amount one payment can take ({Ecommerce.Domain.ChargeLimits.MaxAmount}).");
        }

        return Decision.Append(new OrderPlaced(customerId, orderLines, total, lines[0].Currency, address, reservedUntil, cartId));
    }

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
            case OrderPaymentFailed failed:
                _failedPayments.Add(failed.PaymentId);
                break;
            case OrderRefunded refunded:
                _refunds.Add(refunded.RefundId);
                RefundedAmount += refunded.Amount;
                break;
        }

        UpdatedAt = at;
        Version++;
    }

    /// <returns>Null when the order may be charged now, otherwise why not (asked before calling the payments service).</returns>
    public string? CannotPay(DateTimeOffset now) => Status switch
    {
        OrderStatus.Placed when now > ReservedUntil => "The reservation for this order has expired.",
        OrderStatus.Placed => null,
        _ => $"An order that is {Status} cannot be paid.",
    };

    /// <summary>A charge landed: the order is paid by it, unless the order stopped being payable meanwhile.</summary>
    public Decision Pay(string paymentId, decimal amount, string currency, DateTimeOffset now)
    {
        if (PaymentId == paymentId)
        {
            return Decision.AlreadyDone;
        }

        if (CannotPay(now) is { } reason)
        {
            return Decision.Refuse(reason);
        }

        return amount == Total && currency == Currency
            ? Decision.Append(new OrderPaid(paymentId, amount, currency))
            : Decision.Refuse($"The charge of {amount} {currency} is not the order's total of {Total} {Currency}.");
    }

    public Decision Cancel(string reason) =>
        Status is OrderStatus.Placed or OrderStatus.Paid
            ? Decision.Append(new OrderCancelled(reason))
            : Decision.Refuse($"An order that is {Status} cannot be cancelled.");

    /// <summary>Its hold ran out unpaid: cancelled, which releases the stock.</summary>
    public Decision Expire(DateTimeOffset now) =>
        Status == OrderStatus.Placed && now > ReservedUntil
            ? Decision.Append(new OrderCancelled("reservation expired before payment"))
            : Decision.Refuse("The order is not an expired, unpaid one.");

    public Decision Ship(string trackingNumber) =>
        Status is OrderStatus.Paid
            ? Decision.Append(new OrderShipped(trackingNumber))
            : Decision.Refuse($"An order that is {Status} cannot be shipped; it must be Paid.");

    public Decision Deliver() =>
        Status is OrderStatus.Shipped
            ? Decision.Append(new OrderDelivered())
            : Decision.Refuse($"An order that is {Status} cannot be delivered; it must be Shipped.");

    public Decision RecordPaymentFailure(string paymentId, string reason) =>
        _failedPayments.Contains(paymentId) ? Decision.AlreadyDone : Decision.Append(new OrderPaymentFailed(paymentId, reason));

    public Decision RecordRefund(string paymentId, Guid refundId, decimal amount, string currency) =>
        _refunds.Contains(refundId) ? Decision.AlreadyDone : Decision.Append(new OrderRefunded(paymentId, refundId, amount, currency));
}
