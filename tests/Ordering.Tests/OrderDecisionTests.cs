using Ordering.Api.Orders;

namespace Ordering.Tests;

/// <summary>
/// The aggregate's decisions, in memory: no database, no service, no fixture. Each test builds an order from the
/// events it would have, asks it one question, and checks the event it decided on (or why not).
/// </summary>
public sealed class OrderDecisionTests
{
    private static readonly DateTimeOffset PlacedAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ReservedUntil = PlacedAt.AddMinutes(15);
    private static readonly DateTimeOffset BeforeDeadline = ReservedUntil.AddMinutes(-1);
    private static readonly DateTimeOffset AfterDeadline = ReservedUntil.AddSeconds(1);
    private static readonly Guid Customer = Guid.CreateVersion7();
    private static readonly ShippingAddress Address = new("Ada Lovelace", "1 Analytical Way", null, "London", "N1 9GU", "GB");

    private static readonly PricedLine Mug = new("MUG", Guid.CreateVersion7(), "Mug", 2, 9.50m, "EUR");
    private static readonly OrderPaid Paid = new("pay-1", 19.00m, "EUR");
    private static readonly PricedLine Lamp = new("LAMP", Guid.CreateVersion7(), "Lamp", 1, 30.25m, "EUR");

    // --- place ---

    [Fact]
    public void Placing_builds_OrderPlaced_with_line_totals_the_order_total_and_the_hold()
    {
        var decision = Order.Place(Customer, [Mug, Lamp], Address, "cart-id", ReservedUntil);

        var placed = Assert.IsType<OrderPlaced>(decision.Event);
        Assert.Null(decision.Refusal);
        Assert.Equal(Customer, placed.CustomerId);
        Assert.Equal([19.00m, 30.25m], placed.Lines.Select(l => l.LineTotal));
        Assert.Equal(49.25m, placed.Total);
        Assert.Equal("EUR", placed.Currency);
        Assert.Equal(Address, placed.ShippingAddress);
        Assert.Equal(ReservedUntil, placed.ReservedUntil);
        Assert.Equal("cart-id", placed.CartId);
    }

    [Fact]
    public void A_placed_order_is_Placed_at_version_1_with_what_the_event_says()
    {
        var order = Placed(Mug, Lamp);

        Assert.Equal(OrderStatus.Placed, order.Status);
        Assert.Equal(1, order.Version);
        Assert.Equal(49.25m, order.Total);
        Assert.Equal(PlacedAt, order.PlacedAt);
        Assert.Equal(ReservedUntil, order.ReservedUntil);
        Assert.Equal(2, order.Lines.Count);
    }

    [Fact]
    public void Placing_refuses_lines_in_two_currencies()
    {
        var decision = Order.Place(Customer, [Mug, Lamp with { Currency = "GBP" }], Address, null, ReservedUntil);

        AssertRefused(decision, "All lines of one order must be priced in one currency.");
    }

    [Fact]
    public void Placing_refuses_no_lines_and_a_line_of_no_units()
    {
        AssertRefused(Order.Place(Customer, [], Address, null, ReservedUntil), "An order needs at least one line.");
        AssertRefused(Order.Place(Customer, [Mug with { Quantity = 0 }], Address, null, ReservedUntil), "quantity of at least 1");
    }

    [Fact]
    public void Placing_refuses_a_total_no_payment_can_take_and_accepts_one_at_the_limit()
    {
        // Hardening round 3, defect 12: payments refuses charges over its cap, so such an order could never be paid.
        var atLimit = Mug with { Quantity = 1, UnitPrice = Ecommerce.Domain.ChargeLimits.MaxAmount };
        Assert.IsType<OrderPlaced>(Order.Place(Customer, [atLimit], Address, null, ReservedUntil).Event);

        AssertRefused(Order.Place(Customer, [atLimit, Lamp], Address, null, ReservedUntil), "over the largest amount one payment can take");
    }

    // --- pay ---

    [Fact]
    public void Paying_the_exact_total_in_time_appends_OrderPaid()
    {
        var order = MugOrder();

        var paid = Assert.IsType<OrderPaid>(order.Pay("pay-1", 19.00m, "EUR", BeforeDeadline).Event);

        Assert.Equal(Paid, paid);
        Assert.Null(order.CannotPay(BeforeDeadline));
    }

    [Fact]
    public void Paying_refuses_another_amount_or_currency()
    {
        var order = MugOrder();

        AssertRefused(order.Pay("pay-1", 18.99m, "EUR", BeforeDeadline), "is not the order's total of 19.00 EUR");
        AssertRefused(order.Pay("pay-1", 19.00m, "USD", BeforeDeadline), "is not the order's total");
    }

    [Fact]
    public void Paying_after_the_hold_ran_out_is_refused()
    {
        var order = MugOrder();

        AssertRefused(order.Pay("pay-1", 19.00m, "EUR", AfterDeadline), "The reservation for this order has expired.");
        Assert.Equal("The reservation for this order has expired.", order.CannotPay(AfterDeadline));
    }

    [Fact]
    public void The_same_payment_twice_is_already_done_and_another_payment_on_a_paid_order_is_refused()
    {
        var order = MugOrder(Paid);

        AssertAlreadyDone(order.Pay("pay-1", 19.00m, "EUR", AfterDeadline));
        AssertRefused(order.Pay("pay-2", 19.00m, "EUR", BeforeDeadline), "An order that is Paid cannot be paid.");
        Assert.Equal("pay-1", order.PaymentId);
    }

    [Fact]
    public void A_cancelled_order_cannot_be_paid()
    {
        var order = MugOrder(new OrderCancelled("changed my mind"));

        AssertRefused(order.Pay("pay-1", 19.00m, "EUR", BeforeDeadline), "An order that is Cancelled cannot be paid.");
    }

    // --- cancel and expire ---

    [Fact]
    public void Placed_and_paid_orders_can_be_cancelled_with_the_reason_given()
    {
        Assert.Equal(new OrderCancelled("by customer"), MugOrder().Cancel("by customer").Event);
        Assert.Equal(new OrderCancelled("by admin"), MugOrder(Paid).Cancel("by admin").Event);
    }

    [Fact]
    public void Shipped_delivered_and_cancelled_orders_cannot_be_cancelled()
    {
        var shipped = MugOrder(Paid, new OrderShipped("TRACK-1"));

        AssertRefused(shipped.Cancel("late"), "An order that is Shipped cannot be cancelled.");
        AssertRefused(MugOrder(Paid, new OrderShipped("TRACK-1"), new OrderDelivered()).Cancel("late"), "An order that is Delivered cannot be cancelled.");
        AssertRefused(MugOrder(new OrderCancelled("first")).Cancel("second"), "An order that is Cancelled cannot be cancelled.");
    }

    [Fact]
    public void An_unpaid_order_expires_only_after_its_hold_ran_out()
    {
        var order = MugOrder();

        AssertRefused(order.Expire(BeforeDeadline), "The order is not an expired, unpaid one.");
        Assert.Equal(new OrderCancelled("reservation expired before payment"), order.Expire(AfterDeadline).Event);
    }

    [Fact]
    public void A_paid_or_cancelled_order_never_expires()
    {
        AssertRefused(MugOrder(Paid).Expire(AfterDeadline), "not an expired, unpaid one");
        AssertRefused(MugOrder(new OrderCancelled("gone")).Expire(AfterDeadline), "not an expired, unpaid one");
    }

    // --- ship and deliver ---

    [Fact]
    public void Only_a_paid_order_ships_and_only_a_shipped_one_is_delivered()
    {
        var placed = MugOrder();
        var paid = MugOrder(Paid);

        AssertRefused(placed.Ship("TRACK-1"), "An order that is Placed cannot be shipped; it must be Paid.");
        Assert.Equal(new OrderShipped("TRACK-1"), paid.Ship("TRACK-1").Event);
        AssertRefused(paid.Deliver(), "An order that is Paid cannot be delivered; it must be Shipped.");

        var shipped = MugOrder(Paid, new OrderShipped("TRACK-1"));
        Assert.Equal("TRACK-1", shipped.TrackingNumber);
        AssertRefused(shipped.Ship("TRACK-2"), "An order that is Shipped cannot be shipped");
        Assert.IsType<OrderDelivered>(shipped.Deliver().Event);

        var delivered = MugOrder(Paid, new OrderShipped("TRACK-1"), new OrderDelivered());
        Assert.Equal(OrderStatus.Delivered, delivered.Status);
        AssertRefused(delivered.Deliver(), "An order that is Delivered cannot be delivered");
    }

    // --- what payments tells the order ---

    [Fact]
    public void A_declined_payment_is_recorded_once_and_the_order_stays_payable()
    {
        var order = MugOrder();

        Assert.Equal(new OrderPaymentFailed("pay-1", "declined"), order.RecordPaymentFailure("pay-1", "declined").Event);

        var failed = MugOrder(new OrderPaymentFailed("pay-1", "declined"));
        AssertAlreadyDone(failed.RecordPaymentFailure("pay-1", "declined"));
        Assert.IsType<OrderPaymentFailed>(failed.RecordPaymentFailure("pay-2", "declined").Event);
        Assert.Equal(OrderStatus.Placed, failed.Status);
        Assert.IsType<OrderPaid>(failed.Pay("pay-3", 19.00m, "EUR", BeforeDeadline).Event);
    }

    [Fact]
    public void A_refund_is_recorded_once_and_refunded_amounts_add_up()
    {
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var order = MugOrder(Paid, new OrderCancelled("by customer"));

        var refunded = Assert.IsType<OrderRefunded>(order.RecordRefund("pay-1", first, 10.00m, "EUR").Event);
        Assert.Equal(new OrderRefunded("pay-1", first, 10.00m, "EUR"), refunded);

        var once = MugOrder(Paid, new OrderCancelled("by customer"), refunded);
        AssertAlreadyDone(once.RecordRefund("pay-1", first, 10.00m, "EUR"));
        var rest = Assert.IsType<OrderRefunded>(once.RecordRefund("pay-1", second, 9.00m, "EUR").Event);

        var twice = MugOrder(Paid, new OrderCancelled("by customer"), refunded, rest);
        Assert.Equal(19.00m, twice.RefundedAmount);
        Assert.Equal(OrderStatus.Cancelled, twice.Status);
        Assert.Equal(5, twice.Version);
    }

    private static Order Placed(params PricedLine[] lines)
    {
        var order = Order.New(Guid.CreateVersion7());
        order.Apply(Assert.IsType<OrderPlaced>(Order.Place(Customer, lines, Address, null, ReservedUntil).Event), PlacedAt);
        return order;
    }

    /// <summary>An order of two mugs (19.00 EUR) that went through <paramref name="after"/>, a minute apart.</summary>
    private static Order MugOrder(params OrderEvent[] after)
    {
        var placed = Assert.IsType<OrderPlaced>(Order.Place(Customer, [Mug], Address, null, ReservedUntil).Event);
        var history = after.Prepend(placed).Select((e, i) => (e, PlacedAt.AddMinutes(i)));
        return Assert.IsType<Order>(Order.Replay(Guid.CreateVersion7(), history));
    }

    private static void AssertRefused(Decision decision, string reasonContains)
    {
        Assert.Null(decision.Event);
        Assert.NotNull(decision.Refusal);
        Assert.Contains(reasonContains, decision.Refusal, StringComparison.Ordinal);
    }

    private static void AssertAlreadyDone(Decision decision)
    {
        Assert.Null(decision.Event);
        Assert.Null(decision.Refusal);
        Assert.Equal(Decision.AlreadyDone, decision);
    }
}
