using Cart.Api.Stores;
using Ecommerce.Clients;
using Microsoft.Extensions.Caching.Memory;

namespace Cart.Api.Pricing;

public sealed record CartLineResponse(string Sku, Guid? ProductId, string? Name, int Quantity, decimal? UnitPrice, decimal LineTotal,
    bool PriceChanged, bool? Available);

public sealed record CartResponse(string Id, IReadOnlyList<CartLineResponse> Lines, decimal Subtotal, string? Currency, DateTimeOffset ExpiresAt);

/// <summary>
/// Prices a cart from the catalog now (one batch call per cart, each sku cached for a few seconds) and
/// asks inventory what is available. The stored price is only used to tell the shopper it changed.
/// </summary>
public sealed partial class CartPricing(ICatalogClient catalog, IInventoryClient inventory, IMemoryCache cache, CartOptions options,
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
                available = await inventory.GetAvailableAsync(skus, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException
                                       || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Availability is a hint here (checkout re-checks it): show "unknown", not an error.
                LogInventoryUnavailable(logger, ex);
            }
        }

        var lines = cart.Lines.Select(line =>
        {
            if (!prices.TryGetValue(line.Sku, out var item) || !item.Active)
            {
                // Deleted or withdrawn from sale: kept so the shopper sees what happened, priced at nothing.
                return new CartLineResponse(line.Sku, item?.ProductId, item?.Name, line.Quantity, null, 0m, false, false);
            }

            bool? inStock = available is null ? null : available.GetValueOrDefault(line.Sku) >= line.Quantity;
            return new CartLineResponse(line.Sku, item.ProductId, item.Name, line.Quantity, item.Price, item.Price * line.Quantity,
                item.Price != line.PriceSeen, inStock);
        }).ToList();

        var currency = cart.Lines.Select(l => prices.GetValueOrDefault(l.Sku)?.Currency).FirstOrDefault(c => c is not null);
        return new CartResponse(cart.Id, lines, lines.Sum(l => l.LineTotal), currency, cart.ExpiresAt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory could not be reached; cart availability shown as unknown")]
    private static partial void LogInventoryUnavailable(ILogger logger, Exception exception);
}

/// <summary>Settings under <c>Cart</c>.</summary>
public sealed class CartOptions
{
    public string Store { get; set; } = "redis";
    public TimeSpan Ttl { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan PriceCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);
    public int MaxLines { get; set; } = 100;
    public int MaxQuantity { get; set; } = 99;

    public CartLimits Limits => new(MaxLines, MaxQuantity, Ttl);
}
