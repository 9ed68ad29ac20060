using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;

namespace Ordering.Api.Orders;

/// <summary>
/// The one write path of orders: load → the aggregate decides → append its event → the event's stock effect
/// (<see cref="OrderStockEffects"/>) → integration events to the outbox, all in one database transaction. HTTP handlers,
/// the expiry job and the payment events consumer all come through here; none of them writes an order event itself.
/// </summary>
public sealed class OrderTransactions(OrderingDb db, TimeProvider time, OutboxRelay<OrderingDb> relay, OrderSummaryProjector projector)
{
    public Task<Order?> LoadAsync(Guid orderId, CancellationToken ct) => new EventStore(db, time).LoadAsync(orderId, null, ct);

    public async Task<OrderOutcome> DecideAsync(Guid orderId, EventMetadata actor, Func<Order, Decision> decide, CancellationToken ct) =>
        await LoadAsync(orderId, ct) is { } order ? await DecideAsync(order, actor, decide, ct) : new OrderOutcome.NotFound();

    /// <summary>
    /// Asks <paramref name="order"/> (as loaded, at its version) to decide, and appends what it decided at the next
    /// version. A concurrent command on the same order makes this one <see cref="OrderOutcome.Conflicted"/>, with nothing written.
    /// </summary>
    public async Task<OrderOutcome> DecideAsync(Order order, EventMetadata actor, Func<Order, Decision> decide, CancellationToken ct)
    {
        var decision = decide(order);
        if (decision.Refusal is { } reason)
        {
            return new OrderOutcome.Refused(order, reason);
        }

        if (decision.Event is not { } e)
        {
            return new OrderOutcome.AlreadyDone(order);
        }

        try
        {
            var done = await db.InTransactionAsync(async () =>
            {
                var now = time.GetUtcNow();
                // Only placing reserves, so no effect here refuses; the event is applied after the commit, never twice on a retry.
                await AppendWithEffectsAsync(order.Id, order.Version, actor, e, now, ct);
                return Transacted.Commit(now);
            }, ct);
            relay.Notify();
            projector.Notify();
            order.Apply(e, done.Value);
            return new OrderOutcome.Appended(order, e);
        }
        catch (DbUpdateException ex) when (EventStore.IsConcurrencyConflict(ex))
        {
            return new OrderOutcome.Conflicted();
        }
    }

    /// <summary>
    /// Checkout: claims <paramref name="key"/>, appends what <see cref="Order.Place"/> decided as a new order, reserves
    /// its stock (all lines or none), and records the answer under the key — one transaction, so a refusal keeps nothing.
    /// </summary>
    public async Task<PlacementOutcome> PlaceAsync(CheckoutKey key, EventMetadata actor, Decision placing, CancellationToken ct)
    {
        if (placing.Event is not OrderPlaced placed)
        {
            return new PlacementOutcome.Refused(placing.Refusal ?? "Placing an order must decide on OrderPlaced.");
        }

        var orderId = Guid.CreateVersion7();
        var done = await db.InTransactionAsync<PlacementOutcome>(async () =>
        {
            var now = time.GetUtcNow();
            if (!await CheckoutKeys.ClaimAsync(db, key, now, ct))
            {
                return Transacted.RollBack<PlacementOutcome>(new PlacementOutcome.KeyTaken());
            }

            // The answer is recorded under the key before the stock is touched: every statement after the stock rows are
            // locked holds them longer (a refusal rolls the record back with everything else).
            var order = Order.New(orderId);
            order.Apply(placed, now);
            await CheckoutKeys.RecordAsync(db, key, order, ct);
            var stock = await AppendWithEffectsAsync(orderId, 0, actor, placed, now, ct);
            if (stock.Refused)
            {
                // The key is not kept either: the same key may be retried once stock is back.
                return Transacted.RollBack<PlacementOutcome>(new PlacementOutcome.OutOfStock(stock.ShortLines));
            }

            return Transacted.Commit<PlacementOutcome>(new PlacementOutcome.Placed(order));
        }, ct);
        if (done.Commit)
        {
            relay.Notify();
            projector.Notify();
        }

        return done.Value;
    }

    /// <summary>
    /// The event goes in first: a second command on this order blocks on the (stream, version) index until we commit,
    /// then fails as a conflict — before it can touch any stock. Then the stock effect and the integration events.
    /// Nothing is committed here; on short stock nothing but the event was written, and the caller rolls back.
    /// </summary>
    private async Task<StockOutcome> AppendWithEffectsAsync(Guid orderId, int version, EventMetadata actor, OrderEvent e, DateTimeOffset now,
        CancellationToken ct)
    {
        new EventStore(db, time).Append(orderId, version, actor, e);
        await db.SaveChangesAsync(ct);
        var stock = await OrderStockEffects.ApplyAsync(db, orderId, e, now, ct);
        if (stock.Refused)
        {
            return stock;
        }

        IntegrationEvents.AddFor(db, orderId, e, now);
        await IntegrationEvents.AddStockChangedAsync(db, stock, now, ct);
        await db.SaveChangesAsync(ct);
        return stock;
    }
}
