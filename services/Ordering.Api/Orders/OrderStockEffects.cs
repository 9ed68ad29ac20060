using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;

namespace Ordering.Api.Orders;

/// <summary>
/// The one table of what each order event does to the stock the order holds, run inside the transaction that appends
/// the event. An event not listed leaves stock alone (delivery, a declined payment, a refund).
/// </summary>
public static class OrderStockEffects
{
    public static Task<StockOutcome> ApplyAsync(OrderingDb db, Guid orderId, OrderEvent e, DateTimeOffset now, CancellationToken ct) => e switch
    {
        // Placed: reserve every line until the hold runs out, or nothing (the caller rolls back on short lines).
        OrderPlaced placed => StockReservations.ReserveAsync(db, orderId,
            placed.Lines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList(), placed.ReservedUntil, now, ct),
        // Paid: the reservation is held, with no deadline, until shipped or cancelled.
        OrderPaid => StockReservations.HoldAsync(db, orderId, ct),
        // Shipped: the held units leave the warehouse.
        OrderShipped => StockReservations.FulfilAsync(db, orderId, now, ct),
        // Cancelled (by a person, or the hold expired): whatever is still reserved or held goes back on sale.
        OrderCancelled => StockReservations.ReleaseAsync(db, orderId, now, ct),
        _ => Task.FromResult(StockOutcome.Unchanged),
    };
}
