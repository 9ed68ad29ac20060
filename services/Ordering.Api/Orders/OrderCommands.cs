using System.Security.Claims;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>What every order command needs, bound in one parameter (<c>[AsParameters]</c>).</summary>
public sealed record OrderCommandContext(ClaimsPrincipal User, HttpContext Http, OrderTransactions Orders, TimeProvider Time, CancellationToken Aborted)
{
    public EventMetadata Actor => EventMetadata.For(User);
}

/// <summary>
/// Cancel, ship, deliver (pay is <see cref="PayOrder"/>): HTTP only. <see cref="OrderTransactions"/> loads the order,
/// lets it decide, and writes what it decided with its stock effect.
/// </summary>
public static class OrderCommands
{
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Cancel(Guid id, [AsParameters] OrderCommandContext c)
    {
        // Another customer's order is not found: its existence is not revealed.
        var order = await c.Orders.LoadAsync(id, c.Aborted);
        if (order is null || (order.CustomerId != c.User.GetUserId() && !c.User.IsAdmin()))
        {
            return Problems.NotFound($"Order {id} was not found.");
        }

        var reason = c.User.IsAdmin() ? "cancelled by an administrator" : "cancelled by the customer";
        return Answer(id, await c.Orders.DecideAsync(order, c.Actor, o => o.Cancel(reason), c.Aborted));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Ship(Guid id, ShipRequest request, [AsParameters] OrderCommandContext c)
    {
        if (request.TrackingNumber is not { } tracking || string.IsNullOrWhiteSpace(tracking) || tracking.Length > 64)
        {
            const string refused = "trackingNumber is required (1 to 64 characters).";
            return ValidationProblems.Field("trackingNumber", refused, detail: refused);
        }

        return Answer(id, await c.Orders.DecideAsync(id, c.Actor, o => o.Ship(tracking.Trim()), c.Aborted));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> Deliver(Guid id, [AsParameters] OrderCommandContext c) =>
        Answer(id, await c.Orders.DecideAsync(id, c.Actor, o => o.Deliver(), c.Aborted));

    private static Results<Ok<OrderResponse>, ProblemHttpResult> Answer(Guid id, OrderOutcome outcome) => outcome switch
    {
        OrderOutcome.Appended a => TypedResults.Ok(OrderResponse.From(a.Order)),
        OrderOutcome.AlreadyDone d => TypedResults.Ok(OrderResponse.From(d.Order)),
        OrderOutcome.Refused r => Problems.InvalidTransition(r.Reason),
        OrderOutcome.Conflicted => Problems.Conflict("The order changed while this request was handled; read it again and retry."),
        _ => Problems.NotFound($"Order {id} was not found."),
    };
}
