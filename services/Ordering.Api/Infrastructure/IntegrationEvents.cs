using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Inventory;
using Ordering.Api.Orders;
using Integration = Ecommerce.Contracts.Events;

namespace Ordering.Api.Infrastructure;

/// <summary>What ordering tells the other contexts, written to its outbox inside the command's transaction.</summary>
public static class IntegrationEvents
{
    public static void AddFor(OrderingDb db, Guid orderId, OrderEvent e, DateTimeOffset now)
    {
        Integration.IntegrationEvent? message = e switch
        {
            OrderPlaced p => new Integration.OrderPlaced(orderId, p.CustomerId, p.CartId,
                p.Lines.Select(l => new Integration.OrderedLine(l.Sku, l.ProductId, l.Quantity, l.UnitPrice)).ToList(), p.Total, p.Currency),
            OrderPaid p => new Integration.OrderPaid(orderId, p.Amount, p.Currency),
            OrderCancelled c => new Integration.OrderCancelled(orderId, c.Reason),
            OrderShipped s => new Integration.OrderShipped(orderId, s.TrackingNumber),
            _ => null,
        };
        if (message is not null)
        {
            db.AddToOutbox(EventStreams.Ordering, message, now);
        }
    }

    /// <summary>
    /// One StockChanged per sku with its availability as this transaction leaves it: as the effect computed it from the
    /// rows it locked, or else read back (a query fewer while a hot sku's row is locked: checkout on one sku is bounded
    /// by how long each transaction holds that lock).
    /// </summary>
    public static async Task AddStockChangedAsync(OrderingDb db, StockOutcome stock, DateTimeOffset now, CancellationToken ct)
    {
        var list = stock.AvailabilityChanged.Distinct().ToArray();
        if (list.Length == 0)
        {
            return;
        }

        if (stock.AvailableAfter is { } known && list.All(known.ContainsKey))
        {
            foreach (var sku in list)
            {
                db.AddToOutbox(EventStreams.Ordering, new Integration.StockChanged(sku, known[sku]), now);
            }

            return;
        }

        var available = await db.Stock.Where(s => list.Contains(s.Sku)).GroupBy(s => s.Sku)
            .Select(g => new { Sku = g.Key, Available = g.Sum(s => s.OnHand - s.Reserved) }).ToListAsync(ct);
        foreach (var row in available)
        {
            db.AddToOutbox(EventStreams.Ordering, new Integration.StockChanged(row.Sku, row.Available), now);
        }
    }
}
