using System.ComponentModel.DataAnnotations;
using Cart.Api.Stores;
using Ecommerce.Clients;
using Ecommerce.Messaging.ReadModels;
using Microsoft.Extensions.Caching.Memory;

namespace Cart.Api.Pricing;

/// <param name="Available">Whether the line's quantity is available now; null when not known.</param>
/// <param name="AvailableQuantity">How many units are available now (null when not known): a hint, checkout decides.</param>
public sealed record CartLineResponse(string Sku, Guid? ProductId, string? Name, int Quantity, decimal? UnitPrice, decimal LineTotal,
    bool PriceChanged, bool? Available, int? AvailableQuantity);

public sealed record CartResponse(string Id, IReadOnlyList<CartLineResponse> Lines, decimal Subtotal, string? Currency, DateTimeOffset ExpiresAt);

/// <summary>
/// Prices a cart from the catalog now (one batch call per cart, each sku cached for a few seconds) and shows what is
/// available from the stock read model fed by ordering's events. The stored price only tells the shopper it changed.
/// </summary>
public sealed partial class CartPricing(ICatalogClient catalog, StockBook stock, IMemoryCache cache, CartOptions options,
    ILogger<CartPricing> logger)
{
    public async Task<IReadOnlyDictionary<string, CatalogItem>> LookupAsync(IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var found = new Dictionary<string, CatalogItem>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var sku in skus)
        {
            if (cache.TryGetValue("price:" + sku, out CatalogItem? item) && item is not null)
            {
                found[sku] = item;
            }
            else
            {
                missing.Add(sku);
            }
        }

        if (missing.Count > 0)
        {
            foreach (var (sku, item) in await catalog.GetBySkusAsync(missing, ct))
            {
                if (options.PriceCacheDuration > TimeSpan.Zero)
                {
                    cache.Set("price:" + sku, item, options.PriceCacheDuration);
                }

                found[sku] = item;
            }
        }

        return found;
    }

    /// <summary>Forgets cached prices (a product changed or went away): the next read asks the catalog.</summary>
    public void Forget(IEnumerable<string> skus)
    {
        foreach (var sku in skus)
        {
            cache.Remove("price:" + sku);
        }
    }

    public async Task<CartResponse> PriceAsync(CartData cart, CancellationToken ct)
    {
        var skus = cart.Lines.Select(l => l.Sku).ToList();
        var prices = skus.Count == 0 ? new Dictionary<string, CatalogItem>() : await LookupAsync(skus, ct);
        IReadOnlyDictionary<string, int>? available = null;
        if (skus.Count > 0)
        {
            try
            {
                available = await stock.GetAsync(skus);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                // Availability is a hint here (checkout re-checks it): show "unknown", not an error.
                LogStockUnknown(logger, ex);
            }
        }

        var lines = cart.Lines.Select(line =>
        {
            if (!prices.TryGetValue(line.Sku, out var item) || !item.Active)
            {
                // Deleted or withdrawn from sale: kept so the shopper sees what happened, priced at nothing.
                return new CartLineResponse(line.Sku, item?.ProductId, item?.Name, line.Quantity, null, 0m, false, false, null);
            }

            int? units = available is not null && available.TryGetValue(line.Sku, out var n) ? Math.Max(n, 0) : null;
            return new CartLineResponse(line.Sku, item.ProductId, item.Name, line.Quantity, item.Price, item.Price * line.Quantity,
                item.Price != line.PriceSeen, units is null ? null : units >= line.Quantity, units);
        }).ToList();

        var currency = cart.Lines.Select(l => prices.GetValueOrDefault(l.Sku)?.Currency).FirstOrDefault(c => c is not null);
        return new CartResponse(cart.Id, lines, lines.Sum(l => l.LineTotal), currency, cart.ExpiresAt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stock read model could not be read; cart availability shown as unknown")]
    private static partial void LogStockUnknown(ILogger logger, Exception exception);
}

/// <summary>Settings under <c>Cart</c>.</summary>
public sealed class CartOptions
{
    [AllowedValues("redis", "postgres")]
    public string Store { get; set; } = "redis";
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromDays(7);
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PriceCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The Redis hash of the cart's stock read model (available units per sku, from ordering's StockChanged).</summary>
    [Required, MinLength(1)]
    public string StockKey { get; set; } = "cart:stock";
    [Range(1, 10_000)]
    public int MaxLines { get; set; } = 100;
    [Range(1, 1_000_000)]
    public int MaxQuantity { get; set; } = 99;

    public CartLimits Limits => new(MaxLines, MaxQuantity, Ttl);
}
