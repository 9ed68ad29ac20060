using System.Net.Http.Json;

namespace Ecommerce.Clients;

/// <summary>The price and name of a sku, as the catalog says now.</summary>
/// <param name="VariantSkus">For a product's own sku when it has variants (sizes, colours): the skus to choose from.
/// Such a sku is not purchasable itself — a cart line or order line names a variant.</param>
public sealed record CatalogItem(string Sku, Guid ProductId, string Name, decimal Price, string Currency, bool Active, IReadOnlyList<string>? VariantSkus = null)
{
    public bool NeedsVariant => VariantSkus is { Count: > 0 };
}

public interface ICatalogClient
{
    /// <summary>The skus the catalog knows (unknown ones are simply absent).</summary>
    Task<IReadOnlyDictionary<string, CatalogItem>> GetBySkusAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken);
}

/// <summary>
/// Asks the catalog service (found by service discovery as <c>http://catalog-api</c>) for current prices:
/// the order's prices are the catalog's, never the client's.
/// </summary>
public sealed class HttpCatalogClient(HttpClient http) : ICatalogClient
{
    public async Task<IReadOnlyDictionary<string, CatalogItem>> GetBySkusAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken)
    {
        var query = string.Join(',', skus.Select(Uri.EscapeDataString));
        var products = await http.GetFromJsonAsync<List<CatalogProduct>>($"/api/catalog/products/batch?skus={query}", cancellationToken) ?? [];
        var items = new Dictionary<string, CatalogItem>(StringComparer.Ordinal);
        foreach (var p in products)
        {
            var active = string.Equals(p.Status, "active", StringComparison.OrdinalIgnoreCase);
            items[p.Sku] = new CatalogItem(p.Sku, p.Id, p.Name, p.Price, p.Currency, active, p.Variants?.Select(v => v.Sku).ToList());
            foreach (var v in p.Variants ?? [])
            {
                items[v.Sku] = new CatalogItem(v.Sku, p.Id, p.Name, v.Price ?? p.Price, p.Currency, active);
            }
        }

        return items;
    }

    private sealed record CatalogProduct(Guid Id, string Sku, string Name, decimal Price, string Currency, string Status, List<CatalogVariant>? Variants);

    private sealed record CatalogVariant(string Sku, decimal? Price);
}
