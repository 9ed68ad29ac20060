using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Ecommerce.Contracts.Outbox;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;
using Ordering.Api.Payments;

namespace Ordering.Api.Orders;

/// <summary>Pay, cancel, ship, deliver: load the order, ask the aggregate, then append in one transaction.</summary>
public static class OrderCommands
{
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Pay(
        Guid id, ClaimsPrincipal user, OrderingDb db, OutboxRelay<OrderingDb> relay, IPaymentProvider payments, TimeProvider time, CancellationToken ct)
    {
        var order = await new EventStore(db, time).LoadAsync(id, null, ct);
        if (order is null || order.CustomerId != user.GetUserId())
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        if (order.CannotPay(time.GetUtcNow()) is { } reason)
        {
            return Problems.InvalidTransition(reason);
        }

        var payment = await payments.ChargeAsync(order.Id, order.Total, order.Currency, ct);
        if (!payment.Approved)
        {
            return Problems.PaymentDeclined(payment.DeclineReason ?? "Declined.");
        }

        return await AppendAsync(db, relay, time, order, user, new OrderPaid(payment.PaymentId!, order.Total, order.Currency), async now =>
            // Paid orders keep their stock until shipped or cancelled: move the hold out of the expiry job's reach.
            await db.Reservations.Where(r => r.OrderId == id && r.Status == ReservationStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, now.AddYears(100)), ct), ct);
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Cancel(
        Guid id, ClaimsPrincipal user, OrderingDb db, OutboxRelay<OrderingDb> relay, TimeProvider time, CancellationToken ct)
    {
        var order = await new EventStore(db, time).LoadAsync(id, null, ct);
        if (order is null || (order.CustomerId != user.GetUserId() && !user.IsAdmin()))
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        return order.CannotCancel() is { } reason
            ? Problems.InvalidTransition(reason)
            : await AppendAsync(db, relay, time, order, user, new OrderCancelled(user.IsAdmin() ? "cancelled by an administrator" : "cancelled by the customer"),
                now => StockReservations.ReleaseAsync(db, id, now, ct), ct);
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Ship(
        Guid id, ShipRequest request, ClaimsPrincipal user, OrderingDb db, OutboxRelay<OrderingDb> relay, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.TrackingNumber) || request.TrackingNumber.Length > 64)
        {
            return Problems.Validation("trackingNumber is required (1 to 64 characters).");
        }

        var order = await new EventStore(db, time).LoadAsync(id, null, ct);
        if (order is null)
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        return order.CannotShip() is { } reason
            ? Problems.InvalidTransition(reason)
            : await AppendAsync(db, relay, time, order, user, new OrderShipped(request.TrackingNumber.Trim()),
                now => StockReservations.FulfilAsync(db, id, now, ct), ct);
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Deliver(
        Guid id, ClaimsPrincipal user, OrderingDb db, OutboxRelay<OrderingDb> relay, TimeProvider time, CancellationToken ct)
    {
        var order = await new EventStore(db, time).LoadAsync(id, null, ct);
        if (order is null)
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        return order.CannotDeliver() is { } reason
            ? Problems.InvalidTransition(reason)
            : await AppendAsync(db, relay, time, order, user, new OrderDelivered(), _ => Task.CompletedTask, ct);
    }

    /// <summary>
    /// Appends one event at the version the decision was made on, with its side effects on stock, in one
    /// transaction. If another command appended first, nothing is written and the caller gets a 409.
    /// </summary>
    internal static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> AppendAsync(
        OrderingDb db, OutboxRelay<OrderingDb> relay, TimeProvider time, Order order, ClaimsPrincipal? user, OrderEvent e,
        Func<DateTimeOffset, Task> sideEffects, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            return await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                var now = time.GetUtcNow();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                // The event goes in first: a second command on this order blocks on the (stream, version)
                // index until we commit, then fails as a conflict — before it can touch any stock.
                new EventStore(db, time).Append(order.Id, order.Version, user is null ? new EventMetadata(null, "system", null) : PlaceOrder.Metadata(user), e);
                await db.SaveChangesAsync(ct);
                await sideEffects(now);
                IntegrationEvents.AddFor(db, order, e, now);
                if (e is OrderCancelled)
                {
                    await IntegrationEvents.AddStockChangedAsync(db, order.Lines.Select(l => l.Sku), now, ct);
                }

                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                relay.Notify();
                order.Apply(e, now);
                return (Results<Ok<OrderResponse>, ProblemHttpResult>)TypedResults.Ok(OrderResponse.From(order));
            });
        }
        catch (DbUpdateException ex) when (EventStore.IsConcurrencyConflict(ex))
        {
            return Problems.Conflict("The order changed while this request was handled; read it again and retry.");
        }
    }
}
