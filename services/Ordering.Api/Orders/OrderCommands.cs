using System.Security.Claims;
using Ecommerce.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;

namespace Ordering.Api.Orders;

/// <summary>What every order command needs, bound in one parameter (<c>[AsParameters]</c>).</summary>
public sealed record OrderCommandContext(ClaimsPrincipal User, HttpContext Http, OrderingDb Db, OutboxRelay<OrderingDb> Relay, TimeProvider Time,
    CancellationToken Aborted)
{
    public EventStore Events => new(Db, Time);
}

/// <summary>Cancel, ship, deliver (pay is <see cref="PayOrder"/>): load the order, let the aggregate decide, append what it returns.</summary>
public static class OrderCommands
{
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Cancel(Guid id, [AsParameters] OrderCommandContext c)
    {
        var order = await c.Events.LoadAsync(id, null, c.Aborted);
        if (order is null || (order.CustomerId != c.User.GetUserId() && !c.User.IsAdmin()))
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        var decision = order.Cancel(c.User.IsAdmin() ? "cancelled by an administrator" : "cancelled by the customer");
        return await AnswerAsync(c, order, decision, now => StockReservations.ReleaseAsync(c.Db, id, now, c.Aborted));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Ship(Guid id, ShipRequest request, [AsParameters] OrderCommandContext c)
    {
        if (string.IsNullOrWhiteSpace(request.TrackingNumber) || request.TrackingNumber.Length > 64)
        {
            return Problems.Validation("trackingNumber is required (1 to 64 characters).");
        }

        var order = await c.Events.LoadAsync(id, null, c.Aborted);
        return order is null
            ? Problems.NotFound($"Order {id} was not found.")
            : await AnswerAsync(c, order, order.Ship(request.TrackingNumber.Trim()), now => StockReservations.FulfilAsync(c.Db, id, now, c.Aborted));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Deliver(Guid id, [AsParameters] OrderCommandContext c)
    {
        var order = await c.Events.LoadAsync(id, null, c.Aborted);
        return order is null
            ? Problems.NotFound($"Order {id} was not found.")
            : await AnswerAsync(c, order, order.Deliver(), _ => Task.CompletedTask);
    }

    private static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> AnswerAsync(OrderCommandContext c, Order order, Decision decision,
        Func<DateTimeOffset, Task> sideEffects)
    {
        if (decision.Refusal is { } reason)
        {
            return Problems.InvalidTransition(reason);
        }

        if (decision.Event is not { } e)
        {
            return TypedResults.Ok(OrderResponse.From(order));
        }

        return await AppendAsync(c.Db, c.Relay, c.Time, order, c.User, e, sideEffects, c.Aborted) is { } updated
            ? TypedResults.Ok(OrderResponse.From(updated))
            : Problems.Conflict("The order changed while this request was handled; read it again and retry.");
    }

    /// <summary>
    /// Appends one event at the version the decision was made on, with its side effects on stock and its integration
    /// event, in one transaction. Returns the order after it, or null when another command appended first (nothing written).
    /// </summary>
    internal static async Task<Order?> AppendAsync(
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
                return order;
            });
        }
        catch (DbUpdateException ex) when (EventStore.IsConcurrencyConflict(ex))
        {
            return null;
        }
    }
}
