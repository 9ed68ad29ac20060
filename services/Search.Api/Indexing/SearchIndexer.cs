using Ecommerce.Messaging.ReadModels;
using Ecommerce.Contracts.Events;
using Search.Api.Search;

namespace Search.Api.Indexing;

/// <summary>Turns catalog and stock events into engine writes. Idempotent: the engine drops versions it has.</summary>
public sealed class SearchIndexer(ISearchEngine engine, StockBook stock)
{
    /// <summary>Makes what was applied durable (before the consumers acknowledge it).</summary>
    public Task FlushAsync(CancellationToken ct) => engine.FlushAsync(ct);

    /// <summary>Active products are searchable; a draft or archived version removes the product (version-guarded).</summary>
    public async Task<bool> ApplyAsync(ProductSnapshot product, CancellationToken ct)
    {
        if (product.Status != "active")
        {
            return await engine.DeleteAsync(product.Id, product.Version, ct);
        }

        var document = SearchDocument.From(product, inStock: false);
        var inStock = await stock.AnyAvailableAsync(document.Skus);
        if (!await engine.UpsertAsync(document with { InStock = inStock }, ct))
        {
            return false;
        }

        // The stock consumer runs beside this one: it writes the level and then looks for the product; this writes the
        // product and then looks at the levels again. Whichever goes second sees the other's write, so a stock event
        // handled while the product was being indexed is never lost (it was, once in a full test run).
        if (await stock.AnyAvailableAsync(document.Skus) is var now && now != inStock)
        {
            await engine.SetInStockAsync(document.Id, now, ct);
        }

        return true;
    }

    public Task<bool> RemoveAsync(ProductDeleted deleted, CancellationToken ct) => engine.DeleteAsync(deleted.ProductId, deleted.Version, ct);

    public Task StockChangedAsync(StockChanged changed, CancellationToken ct) => StockChangedAsync([changed], ct);

    /// <summary>
    /// Applies stock events together: levels are absolute, so the last one per sku is what counts. One Redis write for the
    /// levels, one read of every sku of the products they touch, one engine call for those products' flags.
    /// </summary>
    public async Task StockChangedAsync(IReadOnlyList<StockChanged> changes, CancellationToken ct)
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            levels[change.Sku] = change.Available;
        }

        await stock.SetManyAsync(levels);
        var products = new Dictionary<Guid, SearchDocument>();
        foreach (var sku in levels.Keys)
        {
            if (await engine.FindBySkuAsync(sku, ct) is { } document)
            {
                products.TryAdd(document.Id, document);
            }
        }

        if (products.Count == 0)
        {
            return;
        }

        var available = await stock.GetAsync([.. products.Values.SelectMany(p => p.Skus).Distinct(StringComparer.Ordinal)]);
        await engine.SetInStockAsync(products.Values.ToDictionary(p => p.Id, p => p.Skus.Any(s => available.GetValueOrDefault(s) > 0)), ct);
    }
}
