using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Ecommerce.Clients;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Ordering.Api.Infrastructure;
using Ordering.Api.Inventory;

namespace Ordering.Api.Orders;

/// <summary>
/// Checkout. Prices come from the catalog; then ONE transaction claims the idempotency key, reserves the
/// stock (all lines or none), appends OrderPlaced and stores the response for replays. Concurrent requests
/// with the same key queue on the key's row, so exactly one order is created.
/// </summary>
public static partial class PlaceOrder
{
    public const int MaxKeyLength = 128;

    public static async Task<Results<Created<OrderResponse>, ProblemHttpResult>> Handle(
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        PlaceOrderRequest request, ClaimsPrincipal user, HttpContext http, OrderingDb db, ICatalogClient catalog, ICartClient carts, TimeProvider time,
        OrderingOptions options, Ecommerce.Messaging.OutboxRelay<OrderingDb> relay, ILogger<OrderingDb> logger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxKeyLength)
        {
            return Problems.Validation($"An Idempotency-Key header (1 to {MaxKeyLength} characters) is required.");
        }

        var customerId = user.GetUserId()!.Value;
        var (lines, address, error) = Validate(request, options);
        if (error is not null)
        {
            return Problems.Validation(error);
        }

        // The request is what the key protects: for a cart checkout that is the cart id, not its lines today.
        var hash = request.CartId is { } cartId ? Hash([new NormalizedLine("cart:" + cartId, 0)], address!) : Hash(lines!, address!);
        if (await ReplayAsync(db, time, customerId, idempotencyKey, hash, ct) is { } earlier)
        {
            return earlier;
        }

        if (request.CartId is { } fromCart)
        {
            IReadOnlyList<CartItem>? items;
            try
            {
                var token = http.Request.Headers.Authorization.ToString() is { Length: > 7 } header ? header["Bearer ".Length..] : null;
                items = await carts.GetItemsAsync(fromCart, token, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException)
            {
                LogCartUnavailable(logger, ex);
                return Problems.Unavailable("The cart service could not be reached; nothing was reserved. Retry with the same Idempotency-Key.");
            }

            if (items is null)
            {
                return Problems.Validation($"Cart '{fromCart}' was not found.");
            }

            (lines, error) = Normalize(items.Select(i => new PlaceOrderLine(i.Sku, i.Quantity)).ToList(), options);
            if (error is not null)
            {
                return Problems.Validation(error);
            }
        }

        IReadOnlyDictionary<string, CatalogItem> prices;
        try
        {
            prices = await catalog.GetBySkusAsync(lines!.Select(l => l.Sku).ToList(), ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException)
        {
            LogCatalogUnavailable(logger, ex);
            return Problems.Unavailable("The catalog could not be reached to price the order; nothing was reserved. Retry with the same Idempotency-Key.");
        }

        var unknown = lines!.Where(l => !prices.TryGetValue(l.Sku, out var p) || !p.Active).Select(l => l.Sku).ToList();
        if (unknown.Count > 0)
        {
            return Problems.Validation("Some skus are unknown or not for sale.", new Dictionary<string, object?> { ["skus"] = unknown });
        }

        // A product that comes in sizes or colours is bought as one of them: its own sku names no purchasable thing.
        var needVariant = lines!.Where(l => prices[l.Sku].NeedsVariant).Select(l => l.Sku).ToList();
        if (needVariant.Count > 0)
        {
            return Problems.Validation("Some lines name a product that comes in variants; order one of its variant skus.",
                new Dictionary<string, object?> { ["skus"] = needVariant, ["variantSkus"] = needVariant.ToDictionary(s => s, s => prices[s].VariantSkus) });
        }

        var currencies = lines!.Select(l => prices[l.Sku].Currency).Distinct().ToList();
        if (currencies.Count > 1)
        {
            return Problems.Validation("All lines of one order must be priced in one currency.");
        }

        var orderLines = lines!.Select(l =>
        {
            var item = prices[l.Sku];
            return new OrderLine(l.Sku, item.ProductId, item.Name, l.Quantity, item.Price, item.Price * l.Quantity);
        }).ToList();

        var orderId = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        var placed = new OrderPlaced(customerId, orderLines, orderLines.Sum(l => l.LineTotal), currencies[0], address!, now + options.ReservationTtl, request.CartId);

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);

            var claimed = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO idempotency_keys (customer_id, key, request_hash, created_at)
                VALUES ({customerId}, {idempotencyKey}, {hash}, {now}) ON CONFLICT DO NOTHING
                """, ct);
            if (claimed == 0)
            {
                // Another request with this key committed while we priced: answer as it did.
                await tx.RollbackAsync(ct);
                return await ReplayAsync(db, time, customerId, idempotencyKey, hash, ct)
                    ?? Problems.Conflict("A request with this Idempotency-Key is still being processed; retry shortly.");
            }

            var (allocations, shortLines) = await StockReservations.TryReserveAsync(
                db, orderLines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList(), now, ct);
            if (allocations is null)
            {
                // Not stored: the same key may be retried once stock is back.
                await tx.RollbackAsync(ct);
                return Problems.OutOfStock(shortLines);
            }

            db.Reservations.AddRange(allocations.Select(a => new Reservation
            {
                Id = Guid.CreateVersion7(), OrderId = orderId, Sku = a.Sku, Warehouse = a.Warehouse,
                Quantity = a.Quantity, ExpiresAt = placed.ReservedUntil, Status = ReservationStatus.Active,
            }));
            new EventStore(db, time).Append(orderId, 0, Metadata(user), placed);
            var order = Order.Replay(orderId, [(placed, now)])!;
            IntegrationEvents.AddFor(db, order, placed, now);
            await IntegrationEvents.AddStockChangedAsync(db, orderLines.Select(l => l.Sku), now, ct);
            await db.SaveChangesAsync(ct);

            var response = OrderResponse.From(order);
            var body = JsonSerializer.Serialize(response, OrderJson.Default.OrderResponse);
            await db.Database.ExecuteSqlAsync(
                $"UPDATE idempotency_keys SET order_id = {orderId}, response_body = {body}::jsonb WHERE customer_id = {customerId} AND key = {idempotencyKey}", ct);
            await tx.CommitAsync(ct);
            relay.Notify();
            LogOrderPlaced(logger, orderId, customerId, orderLines.Count, placed.Total, placed.Currency);
            return (Results<Created<OrderResponse>, ProblemHttpResult>)TypedResults.Created($"/api/orders/{orderId}", response);
        });
    }

    internal static EventMetadata Metadata(ClaimsPrincipal user) =>
        new(user.GetUserId(), user.FindFirstValue(Ecommerce.Authentication.TokenIssuer.RoleClaim), System.Diagnostics.Activity.Current?.TraceId.ToString());

    /// <summary>
    /// A repeat of a checkout answers with the order it created — as the order is now (paid, cancelled…), not the
    /// body stored when it was placed: a client retrying after a lost answer learns the truth.
    /// </summary>
    private static async Task<Results<Created<OrderResponse>, ProblemHttpResult>?> ReplayAsync(
        OrderingDb db, TimeProvider time, Guid customerId, string key, string hash, CancellationToken ct)
    {
        var record = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.CustomerId == customerId && r.Key == key, ct);
        if (record is null)
        {
            return null;
        }

        if (record.RequestHash != hash)
        {
            return Problems.IdempotencyKeyReused();
        }

        var current = record.OrderId is { } orderId ? await new EventStore(db, time).LoadAsync(orderId, null, ct) : null;
        var response = current is not null ? OrderResponse.From(current) : JsonSerializer.Deserialize(record.ResponseBody!, OrderJson.Default.OrderResponse)!;
        return TypedResults.Created($"/api/orders/{record.OrderId}", response);
    }

    private sealed record NormalizedLine(string Sku, int Quantity);

    private static (List<NormalizedLine>? Lines, ShippingAddress? Address, string? Error) Validate(PlaceOrderRequest request, OrderingOptions options)
    {
        var a = request.ShippingAddress;
        if (a is null || Blank(a.Name, 100) || Blank(a.Line1, 200) || Blank(a.City, 100) || Blank(a.PostalCode, 20)
            || !CountryCodes.IsAssigned(a.Country) || (a.Line2?.Length > 200))
        {
            return (null, null, "shippingAddress needs name, line1, city, postalCode and an ISO 3166-1 alpha-2 country code in upper case (e.g. DE).");
        }

        if (request.CartId is not null)
        {
            // A cart id is what the cart service issues (22 base64url characters); anything else cannot be a cart and
            // is refused here, not sent on to the cart service.
            return request.Lines is null
                ? (null, a, request.CartId.Length == 22 && System.Buffers.Text.Base64Url.IsValid(request.CartId) ? null : "cartId is not a cart id.")
                : (null, a, "Send either cartId or lines, not both.");
        }

        var (lines, error) = Normalize(request.Lines, options);
        return (lines, a, error);
    }

    private static (List<NormalizedLine>? Lines, string? Error) Normalize(List<PlaceOrderLine>? raw, OrderingOptions options)
    {
        if (raw is not { Count: > 0 } || raw.Count > options.MaxLines)
        {
            return (null, $"An order needs 1 to {options.MaxLines} lines.");
        }

        foreach (var line in raw)
        {
            if (Identifiers.CanonicalSkuOrNull(line.Sku) is null)
            {
                return (null, $"Every line needs a sku: {Identifiers.SkuRule}");
            }

            if (line.Quantity is not { } q || q < 1 || q > options.MaxQuantity)
            {
                return (null, $"Every line needs a quantity from 1 to {options.MaxQuantity} (sku '{line.Sku}').");
            }
        }

        // The same sku twice is one line; sorted so the request hash does not depend on line order.
        var lines = raw.GroupBy(l => Identifiers.CanonicalSkuOrNull(l.Sku)!, StringComparer.Ordinal)
            .Select(g => new NormalizedLine(g.Key, g.Sum(l => l.Quantity!.Value)))
            .OrderBy(l => l.Sku, StringComparer.Ordinal).ToList();
        return lines.Any(l => l.Quantity > options.MaxQuantity) ? (null, $"At most {options.MaxQuantity} units per sku.") : (lines, null);
    }

    private static bool Blank(string? value, int max) => string.IsNullOrWhiteSpace(value) || value.Length > max;

    private static string Hash(List<NormalizedLine> lines, ShippingAddress address)
    {
        var canonical = string.Join('\n', lines.Select(l => $"{l.Sku}\t{l.Quantity}"))
            + $"\n{address.Name}\t{address.Line1}\t{address.Line2}\t{address.City}\t{address.PostalCode}\t{address.Country}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} placed by {CustomerId}: {LineCount} lines, {Total} {Currency}")]
    private static partial void LogOrderPlaced(ILogger logger, Guid orderId, Guid customerId, int lineCount, decimal total, string currency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cart service could not be reached for a cart checkout")]
    private static partial void LogCartUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalog could not be reached while pricing an order")]
    private static partial void LogCatalogUnavailable(ILogger logger, Exception exception);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OrderResponse))]
public sealed partial class OrderJson : System.Text.Json.Serialization.JsonSerializerContext;
