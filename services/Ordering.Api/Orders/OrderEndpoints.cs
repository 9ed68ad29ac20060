using Ecommerce.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

public static class OrderEndpoints
{
    public static void MapOrders(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders").RequireAuthorization(Policies.SignedIn);
        orders.MapPost("/", PlaceOrder.Handle);
        orders.MapGet("/", OrderQueries.List);
        orders.MapGet("/{id:guid}", OrderQueries.Get);
        orders.MapGet("/{id:guid}/history", OrderQueries.History);
        orders.MapPost("/{id:guid}/pay", PayOrder.Handle);
        orders.MapPost("/{id:guid}/cancel", OrderCommands.Cancel);
        orders.MapPost("/{id:guid}/ship", OrderCommands.Ship).RequireAuthorization(Policies.Admin);
        orders.MapPost("/{id:guid}/deliver", OrderCommands.Deliver).RequireAuthorization(Policies.Admin);
        orders.MapGet("/projection", ProjectionLag).RequireAuthorization(Policies.Admin);
    }

    /// <summary>How far the list view is behind the event store (in events).</summary>
    private static async Task<Ok<ProjectionStatus>> ProjectionLag(OrderingDb db, CancellationToken ct)
    {
        var head = await db.Events.MaxAsync(e => (long?)e.Position, ct) ?? 0;
        var checkpoint = await db.Checkpoints.Where(c => c.Name == OrderSummaryProjector.Name).Select(c => (long?)c.Position).SingleOrDefaultAsync(ct) ?? 0;
        return TypedResults.Ok(new ProjectionStatus(OrderSummaryProjector.Name, checkpoint, head, head - checkpoint));
    }
}
