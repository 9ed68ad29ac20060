using Ecommerce.Clients;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>
/// Checkout's reads from other services, before anything is reserved: the cart's lines (for a cart checkout) and the
/// catalog's prices. Either one unreachable is a 503 with nothing reserved; the client retries with the same key.
/// </summary>
public static partial class CheckoutPricing
{
    /// <summary>The lines the client listed, or the cart's lines as the cart service has them now.</summary>
    public static async Task<CheckoutStep<IReadOnlyList<RequestedLine>>> LinesAsync(PlaceOrderCommand command, CheckoutContext c)
    {
        if (command.CartId is not { } cartId)
        {
            return new CheckoutStep<IReadOnlyList<RequestedLine>>(command.Lines);
        }

        IReadOnlyList<CartItem>? items;
        try
        {
            var token = c.Http.Request.Headers.Authorization.ToString() is { Length: > 7 } header ? header["Bearer ".Length..] : null;
            items = await c.Carts.GetItemsAsync(cartId, token, c.Aborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException)
        {
            LogCartUnavailable(c.Logger, ex);
            return Problems.Unavailable("The cart service could not be reached; nothing was reserved. Retry with the same Idempotency-Key.");
        }

        if (items is null)
        {
            var missing = $"Cart '{cartId}' was not found.";
            return ValidationProblems.Field("cartId", missing, detail: missing);
        }

        return PlaceOrderCommand.TryParseLines(items.Select(i => new PlaceOrderLine(i.Sku, i.Quantity)).ToList(), c.Options, out var lines, out var error)
            ? new CheckoutStep<IReadOnlyList<RequestedLine>>(lines)
            : ValidationProblems.Field("cartId", error, detail: error);
    }

    /// <summary>
    /// Each line at the catalog's price. Unknown or inactive skus, and a product's own sku where it comes in variants,
    /// are refused; whether the prices make one order (one currency) is <see cref="Order.Place"/>'s decision.
    /// </summary>
    /// <param name="linesField">The request field the lines came from, which a refusal names: <c>lines</c>, or <c>cartId</c>.</param>
    public static async Task<CheckoutStep<IReadOnlyList<PricedLine>>> PriceAsync(IReadOnlyList<RequestedLine> lines, string linesField, CheckoutContext c)
    {
        IReadOnlyDictionary<string, CatalogItem> prices;
        try
        {
            prices = await c.Catalog.GetBySkusAsync(lines.Select(l => l.Sku).ToList(), c.Aborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException)
        {
            LogCatalogUnavailable(c.Logger, ex);
            return Problems.Unavailable("The catalog could not be reached to price the order; nothing was reserved. Retry with the same Idempotency-Key.");
        }

        var unknown = lines.Where(l => !prices.TryGetValue(l.Sku, out var p) || !p.Active).Select(l => l.Sku).ToList();
        if (unknown.Count > 0)
        {
            const string refused = "Some skus are unknown or not for sale.";
            return ValidationProblems.Field(linesField, $"{refused} ({string.Join(", ", unknown)})", detail: refused,
                new Dictionary<string, object?> { ["skus"] = unknown });
        }

        // A product that comes in sizes or colours is bought as one of them: its own sku names no purchasable thing.
        var needVariant = lines.Where(l => prices[l.Sku].NeedsVariant).Select(l => l.Sku).ToList();
        if (needVariant.Count > 0)
        {
            const string refused = "Some lines name a product that comes in variants; order one of its variant skus.";
            return ValidationProblems.Field(linesField, $"{refused} ({string.Join(", ", needVariant)})", detail: refused,
                new Dictionary<string, object?> { ["skus"] = needVariant, ["variantSkus"] = needVariant.ToDictionary(s => s, s => prices[s].VariantSkus) });
        }

        return new CheckoutStep<IReadOnlyList<PricedLine>>(lines.Select(l =>
        {
            var item = prices[l.Sku];
            return new PricedLine(l.Sku, item.ProductId, item.Name, l.Quantity, item.Price, item.Currency);
        }).ToList());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cart service could not be reached for a cart checkout")]
    private static partial void LogCartUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalog could not be reached while pricing an order")]
    private static partial void LogCatalogUnavailable(ILogger logger, Exception exception);
}
