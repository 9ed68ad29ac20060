namespace Search.Api.Search;

/// <summary>
/// The search engine port, chosen by <c>Search:Engine</c>: <c>lucene</c> (default, embedded), <c>postgres</c>,
/// <c>elasticsearch</c>. Writes are idempotent and ordered by product version: an older version never
/// replaces a newer one, and a delete leaves a tombstone so a late upsert cannot bring the product back.
/// </summary>
public interface ISearchEngine
{
    string Name { get; }

    /// <summary>Creates the index or schema if missing (start-up).</summary>
    Task InitializeAsync(CancellationToken ct);

    /// <returns>False when the engine already holds this version or a newer one (or a newer tombstone).</returns>
    Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct);

    /// <returns>False when the engine already holds a newer version.</returns>
    Task<bool> DeleteAsync(Guid id, long version, CancellationToken ct);

    /// <summary>The live product whose sku or variant sku is <paramref name="sku"/>, or null.</summary>
    Task<SearchDocument?> FindBySkuAsync(string sku, CancellationToken ct);

    /// <summary>Sets a live product's in-stock flag; its version does not change (stock is not a catalog change).</summary>
    Task SetInStockAsync(Guid id, bool inStock, CancellationToken ct);

    /// <summary>
    /// Sets several live products' in-stock flags (a consumer's pass). The default sets them one by one; an engine that
    /// makes each write visible on its own (Lucene's refresh: a new segment per call) does it once for the lot.
    /// </summary>
    async Task SetInStockAsync(IReadOnlyDictionary<Guid, bool> flags, CancellationToken ct)
    {
        foreach (var (id, inStock) in flags)
        {
            await SetInStockAsync(id, inStock, ct);
        }
    }

    /// <summary>Makes every write so far durable: the event consumers call it before they acknowledge what they applied.</summary>
    Task FlushAsync(CancellationToken ct);

    Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> product names completing the prefix.</summary>
    Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct);

    /// <summary>Live product ids and versions (tombstones excluded): what reconciliation compares with the catalog.</summary>
    Task<IReadOnlyDictionary<Guid, long>> VersionsAsync(CancellationToken ct);

    /// <summary>
    /// Starts a rebuild into a fresh index. Until <see cref="IReindex.SwapAsync"/>, queries use the old index
    /// and live writes go to both, so the swap loses no update and no query fails.
    /// </summary>
    Task<IReindex> BeginReindexAsync(CancellationToken ct);
}

public interface IReindex : IAsyncDisposable
{
    Task AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct);

    /// <summary>Makes the new index the live one and drops the old one.</summary>
    Task SwapAsync(CancellationToken ct);
}
