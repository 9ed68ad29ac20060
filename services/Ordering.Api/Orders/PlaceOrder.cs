using System.Security.Claims;
using System.Text.Json;
using Ecommerce.Clients;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>What checkout needs, bound in one parameter (<c>[AsParameters]</c>).</summary>
public sealed record CheckoutContext(ClaimsPrincipal User, HttpContext Http, OrderingDb Db, ICatalogClient Catalog, ICartClient Carts,
    TimeProvider Time, OrderingOptions Options, OrderTransactions Orders, ILogger<CheckoutContext> Logger, CancellationToken Aborted);

/// <summary>
/// Checkout, HTTP only: parse the request, answer a repeated key, read the lines and prices, let <see cref="Order.Place"/>
/// decide, and let <see cref="OrderTransactions.PlaceAsync"/> claim the key, reserve the stock (all lines or none) and
/// append OrderPlaced in one transaction. Concurrent requests with the same key queue on the key's row, so exactly one
/// order is created.
/// </summary>
public static partial class PlaceOrder
{
    public const int MaxKeyLength = 128;

    public static async Task<Results<Created<OrderResponse>, ProblemHttpResult>> Handle(
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, PlaceOrderRequest request, [AsParameters] CheckoutContext c)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxKeyLength)
        {
            var refused = $"An Idempotency-Key header (1 to {MaxKeyLength} characters) is required.";
            return ValidationProblems.Field("Idempotency-Key", refused, detail: refused);
        }

        if (!PlaceOrderCommand.TryParse(request, c.Options, out var command, out var errors))
        {
            // Every field refused in `errors`; the detail is the first of them, in the order the request is read.
            return ValidationProblems.Fields(errors.ToDictionary(e => e.Key, e => new[] { e.Value }, StringComparer.Ordinal), detail: errors.GetAt(0).Value);
        }

        // The signed-in policy admits only tokens whose subject is a user id.
        var customerId = c.User.GetUserId() ?? throw new InvalidOperationException("A signed-in caller without a user id reached checkout.");
        var key = new CheckoutKey(customerId, idempotencyKey, command.RequestHash, command.LegacyRequestHash);
        if (await ReplayAsync(c, key) is { } earlier)
        {
            return earlier;
        }

        if ((await CheckoutPricing.LinesAsync(command, c)).Failed(out var lines, out var problem)
            || (await CheckoutPricing.PriceAsync(lines, command.LinesField, c)).Failed(out var priced, out problem))
        {
            return problem;
        }

        var placing = Order.Place(customerId, priced, command.Address, command.CartId, c.Time.GetUtcNow() + c.Options.ReservationTtl);
        switch (await c.Orders.PlaceAsync(key, EventMetadata.For(c.User), placing, c.Aborted))
        {
            case PlacementOutcome.Placed { Order: var order }:
                LogOrderPlaced(c.Logger, order.Id, customerId, order.Lines.Count, order.Total, order.Currency);
                return TypedResults.Created($"/api/orders/{order.Id}", OrderResponse.From(order));
            case PlacementOutcome.Refused refused:
                return ValidationProblems.Field(command.LinesField, refused.Reason, detail: refused.Reason);
            case PlacementOutcome.OutOfStock outOfStock:
                return Problems.OutOfStock(outOfStock.ShortLines);
            default:
                // Another request with this key committed while we priced: answer as it did.
                return await ReplayAsync(c, key) ?? Problems.Conflict("A request with this Idempotency-Key is still being processed; retry shortly.");
        }
    }

    /// <summary>
    /// A repeat of a checkout answers with the order it created — as the order is now (paid, cancelled…), not the
    /// body stored when it was placed: a client retrying after a lost answer learns the truth.
    /// </summary>
    private static async Task<Results<Created<OrderResponse>, ProblemHttpResult>?> ReplayAsync(CheckoutContext c, CheckoutKey key)
    {
        if (await CheckoutKeys.FindAsync(c.Db, key, c.Aborted) is not { } record)
        {
            return null;
        }

        if (!key.Protects(record.RequestHash))
        {
            return Problems.IdempotencyKeyReused();
        }

        var current = record.OrderId is { } orderId ? await c.Orders.LoadAsync(orderId, c.Aborted) : null;
        return TypedResults.Created($"/api/orders/{record.OrderId}", current is not null ? OrderResponse.From(current) : StoredAnswer(record));
    }

    // A key is claimed and answered in the transaction that placed its order, so a committed key always has an answer.
    private static OrderResponse StoredAnswer(IdempotencyRecord record) =>
        record.ResponseBody is { } body && JsonSerializer.Deserialize(body, OrderJson.Default.OrderResponse) is { } stored
            ? stored
            : throw new InvalidOperationException($"Idempotency key '{record.Key}' was committed without its answer.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} placed by {CustomerId}: {LineCount} lines, {Total} {Currency}")]
    private static partial void LogOrderPlaced(ILogger logger, Guid orderId, Guid customerId, int lineCount, decimal total, string currency);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OrderResponse))]
public sealed partial class OrderJson : System.Text.Json.Serialization.JsonSerializerContext;
