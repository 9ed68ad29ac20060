using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Transport.Products.Elasticsearch;
using Search.Api.Search;

namespace Search.Api.Engines.Elasticsearch;

/// <summary>Settings under <c>Search:Elasticsearch</c>.</summary>
public sealed class ElasticsearchOptions
{
    /// <summary>The alias queries use; concrete indexes are <c>{alias}-{timestamp}</c>, swapped behind it.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9_-]{0,99}$")]
    public string Alias { get; set; } = "products";
}

/// <summary>
/// Elasticsearch 9 through the official client (<see cref="ElasticsearchClient"/>, registered by
/// <see cref="ElasticsearchRegistration.AddElasticsearchClient"/>). External versioning makes every write version-guarded
/// on the server; a rebuild goes to a new index, live writes go to both, and the alias moves in one call.
/// </summary>
public sealed class ElasticsearchEngine(ElasticsearchClient client, ElasticsearchOptions settings, Synonyms synonyms, TimeProvider time) : ISearchEngine
{
    private readonly ElasticsearchClient _client = client;
    private readonly ElasticsearchOptions _options = settings;
    private string? _building;

    public string Name => "elasticsearch";

    public async Task InitializeAsync(CancellationToken ct)
    {
        var alias = await _client.Indices.ExistsAliasAsync(new ExistsAliasRequest(_options.Alias), ct);
        if (alias.ApiCallDetails.HttpStatusCode != (int)HttpStatusCode.NotFound)
        {
            Ensure(alias);
            return;
        }

        var index = await CreateIndexAsync(ct);
        Ensure(await _client.Indices.UpdateAliasesAsync(ElasticsearchRequests.SwapAlias(_options.Alias, null, index), ct));
    }

    public Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct) => WriteAsync(ElasticsearchProduct.From(document), false, ct);

    public Task<bool> DeleteAsync(Guid id, long version, CancellationToken ct) => WriteAsync(ElasticsearchProduct.Tombstone(id, version), false, ct);

    public async Task<SearchDocument?> FindBySkuAsync(string sku, CancellationToken ct)
    {
        var response = Ensure(await _client.SearchAsync<ElasticsearchProduct>(ElasticsearchRequests.BySku(_options.Alias, sku), ct));
        return response.Documents.FirstOrDefault()?.ToDocument();
    }

    /// <summary>
    /// Rewrites the document at the same version (<c>external_gte</c>): stock is not a catalog change. A 409 means a
    /// newer catalog version landed in between: read again and retry, so the stock change is not lost.
    /// </summary>
    public async Task SetInStockAsync(Guid id, bool inStock, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var found = await _client.GetAsync<ElasticsearchProduct>(new GetRequest(_options.Alias, id.ToString()), ct);
            if (found.ApiCallDetails.HttpStatusCode == (int)HttpStatusCode.NotFound) return;
            var source = Ensure(found).Source!;
            if (source.Deleted) return;
            if (await WriteAsync(ElasticsearchProduct.From(source.ToDocument() with { InStock = inStock }), true, ct)) return;
        }

        throw new HttpRequestException($"Setting inStock of {id} kept conflicting with newer writes; the event will be retried.");
    }

    /// <summary>Nothing to do: Elasticsearch acknowledges a write once its translog is fsynced (durability "request", the default).</summary>
    public Task FlushAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var result = ElasticsearchRequests.ToResult(await SearchAsync(ElasticsearchRequests.Search(_options.Alias, query, fuzzy: false), ct), 0);
        if (result.Total == 0 && query.Text is not null)
        {
            result = ElasticsearchRequests.ToResult(await SearchAsync(ElasticsearchRequests.Search(_options.Alias, query, fuzzy: true), ct), 0);
            result = result with { DidYouMean = DidYouMean.From(query.Text, result.Items) };
        }

        return result with { TookMs = clock.Elapsed.TotalMilliseconds };
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct)
    {
        prefix = SearchText.Clean(prefix);
        if (prefix.Length == 0) return [];
        var response = await SearchAsync(ElasticsearchRequests.Suggest(_options.Alias, prefix, limit), ct);
        return response.Documents.Select(d => d.Name!).Distinct(StringComparer.Ordinal).Take(limit).ToList();
    }

    public async Task<IReadOnlyDictionary<Guid, long>> VersionsAsync(CancellationToken ct)
    {
        var versions = new Dictionary<Guid, long>();
        string? after = null;
        while (true)
        {
            var page = (await SearchAsync(ElasticsearchRequests.Versions(_options.Alias, after, 5000), ct)).Documents;
            if (page.Count == 0) return versions;
            foreach (var source in page)
            {
                versions[Guid.Parse(source.Id)] = source.Version;
            }

            after = page.Last().Id;
        }
    }

    public async Task<IReindex> BeginReindexAsync(CancellationToken ct)
    {
        if (_building is not null) throw new InvalidOperationException("A reindex is already running.");
        _building = await CreateIndexAsync(ct);
        return new Reindex(this, _building);
    }

    private async Task<SearchResponse<ElasticsearchProduct>> SearchAsync(SearchRequest request, CancellationToken ct) =>
        Ensure(await _client.SearchAsync<ElasticsearchProduct>(request, ct));

    private async Task<string> CreateIndexAsync(CancellationToken ct)
    {
        var index = $"{_options.Alias}-{time.GetUtcNow():yyyyMMddHHmmssfff}";
        Ensure(await _client.Indices.CreateAsync(ElasticsearchRequests.CreateIndex(index, synonyms), ct));
        return index;
    }

    /// <returns>Whether the live index took the write (409: it holds that version or a newer one).</returns>
    private async Task<bool> WriteAsync(ElasticsearchProduct source, bool sameVersionAllowed, CancellationToken ct)
    {
        var applied = await PutAsync(ElasticsearchRequests.Index(_options.Alias, source, sameVersionAllowed), ct);
        if (_building is { } building) await PutAsync(ElasticsearchRequests.Index(building, source, sameVersionAllowed), ct);
        return applied;
    }

    private async Task<bool> PutAsync(IndexRequest<ElasticsearchProduct> request, CancellationToken ct)
    {
        var response = await _client.IndexAsync(request, ct);
        if (response.ApiCallDetails.HttpStatusCode == (int)HttpStatusCode.Conflict) return false;
        Ensure(response);
        return true;
    }

    /// <summary>
    /// The client answers errors in the response rather than throwing: turn them into <see cref="HttpRequestException"/>,
    /// which the indexer and the reconciliation already treat as "retry later".
    /// </summary>
    private static T Ensure<T>(T response) where T : ElasticsearchResponse
    {
        if (response.IsValidResponse) return response;
        response.TryGetOriginalException(out var cause);
        var status = response.ApiCallDetails.HttpStatusCode;
        var error = response.ElasticsearchServerError?.Error is { } e ? $"{e.Type}: {e.Reason}" : cause?.Message;
        throw new HttpRequestException($"Elasticsearch answered {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}: {error}",
            cause, (HttpStatusCode?)status);
    }

    private sealed class Reindex(ElasticsearchEngine engine, string index) : IReindex
    {
        private bool _swapped;

        public async Task AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct)
        {
            if (documents.Count == 0) return;
            var response = await engine._client.BulkAsync(ElasticsearchRequests.Bulk(index, documents), ct);
            // The response is "invalid" as soon as one item failed; only a failed call as a whole is an error here.
            if (!response.ApiCallDetails.HasSuccessfulStatusCode) Ensure(response);
            // Items refused with 409 are products a live write already put there in a newer version: keep those.
            var failed = response.Items.Where(i => i.Status is >= 300 and not (int)HttpStatusCode.Conflict).ToList();
            if (failed.Count > 0)
            {
                throw new HttpRequestException($"Bulk indexing failed for {failed.Count} documents: {failed[0].Id}: {failed[0].Error?.Type}: {failed[0].Error?.Reason}");
            }
        }

        public async Task SwapAsync(CancellationToken ct)
        {
            var client = engine._client;
            Ensure(await client.Indices.RefreshAsync(new RefreshRequest(index), ct));
            var aliases = Ensure(await client.Indices.GetAliasAsync(new GetAliasRequest((Names)engine._options.Alias), ct));
            var current = aliases.Aliases?.Keys.FirstOrDefault();
            Ensure(await client.Indices.UpdateAliasesAsync(ElasticsearchRequests.SwapAlias(engine._options.Alias, current, index), ct));
            engine._building = null;
            _swapped = true;
            if (current is not null) Ensure(await client.Indices.DeleteAsync(new DeleteIndexRequest(current), ct));
        }

        public async ValueTask DisposeAsync()
        {
            if (_swapped) return;
            engine._building = null;
            await engine._client.Indices.DeleteAsync(new DeleteIndexRequest(index));
        }
    }
}
