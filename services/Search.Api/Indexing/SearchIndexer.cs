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
        return await engine.UpsertAsync(document with { InStock = await stock.AnyAvailableAsync(document.Skus) }, ct);
    }

    public Task<bool> RemoveAsync(ProductDeleted deleted, CancellationToken ct) => engine.DeleteAsync(deleted.ProductId, deleted.Version, ct);

    public async Task StockChangedAsync(StockChanged changed, CancellationToken ct)
    {
        await stock.SetAsync(changed.Sku, changed.Available);
        if (await engine.FindBySkuAsync(changed.Sku, ct) is { } document)
        {
            await engine.SetInStockAsync(document.Id, await stock.AnyAvailableAsync(document.Skus), ct);
        }
    }
}
