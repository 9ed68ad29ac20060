using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Ecommerce.Testing;

/// <summary>
/// A real HTTP server answering the catalog's batch-by-sku call from a table the test controls, so a service
/// that prices from the catalog (ordering, carts) is tested on its own. End-to-end tests use the real catalog.
/// </summary>
public sealed class CatalogStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Product> _products = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _productOfVariant = new(StringComparer.Ordinal);

    private CatalogStub(WebApplication app) => _app = app;

    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public void Remove(string sku) => _products.TryRemove(sku, out _);

    public void Set(string sku, decimal price, string status = "active", string currency = "EUR") =>
        _products[sku] = new Product(Guid.CreateVersion7(), sku, $"Product {sku}", price, currency, status, []);

    /// <summary>A product with variant skus (each its own sellable sku), as the catalog's seeded products have.</summary>
    public void SetWithVariants(string sku, decimal price, params string[] variantSkus)
    {
        _products[sku] = new Product(Guid.CreateVersion7(), sku, $"Product {sku}", price, "EUR", "active",
            variantSkus.Select(v => (object)new { sku = v, price = (decimal?)null }).ToList());
        foreach (var variant in variantSkus) _productOfVariant[variant] = sku;
    }

    public static async Task<CatalogStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new CatalogStub(app);
        // Like the catalog, a variant sku finds its product.
        app.MapGet("/api/catalog/products/batch", (string skus) =>
            Results.Json(skus.Split(',').Select(s => stub._productOfVariant.GetValueOrDefault(s, s)).Distinct()
                .Where(stub._products.ContainsKey).Select(s => stub._products[s]).ToList()));
        // The browse call, active products by sku, paged like the catalog ({items, nextCursor}); the cursor is opaque to callers.
        app.MapGet("/api/catalog/products", (int? limit, string? cursor) =>
        {
            var active = stub._products.Values.Where(p => p.Status == "active").OrderBy(p => p.Sku, StringComparer.Ordinal).ToList();
            var start = cursor is null ? 0 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
            var page = active.Skip(start).Take(limit ?? 20).ToList();
            var next = start + page.Count < active.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return Results.Json(new { items = page, nextCursor = next });
        });
        await app.StartAsync();
        return stub;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public sealed record Product(Guid Id, string Sku, string Name, decimal Price, string Currency, string Status, List<object> Variants);
}
