using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Search.Api.Search;

namespace Search.Api.Engines.Elasticsearch;

/// <summary>Settings under <c>Search:Elasticsearch</c>.</summary>
public sealed class ElasticsearchOptions
{
    /// <summary>The alias queries use; concrete indexes are <c>{alias}-{timestamp}</c>, swapped behind it.</summary>
    public string Alias { get; set; } = "products";
}

/// <summary>
/// Elasticsearch 8 over its REST API with a plain <see cref="HttpClient"/> (base address from
/// <c>ConnectionStrings:elasticsearch</c>). External versioning makes every write version-guarded on the
/// server; a rebuild goes to a new index, live writes go to both, and the alias moves in one call.
/// </summary>
public sealed class ElasticsearchEngine(HttpClient client, ElasticsearchOptions settings, Synonyms synonyms, TimeProvider time) : ISearchEngine
{
    private readonly HttpClient _http = client;
    private readonly ElasticsearchOptions _options = settings;
    private string? _building;

    public string Name => "elasticsearch";

    public async Task InitializeAsync(CancellationToken ct)
    {
        using var alias = await _http.GetAsync(new Uri($"/_alias/{_options.Alias}", UriKind.Relative), ct);
        if (alias.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureAsync(alias);
            return;
        }

        var index = await CreateIndexAsync(ct);
        await SendAsync(HttpMethod.Post, "/_aliases", ElasticsearchRequests.SwapAlias(_options.Alias, null, index), ct);
    }

    public Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct) =>
        WriteAsync(index => ElasticsearchRequests.DocumentUrl(index, document.Id, document.Version), ElasticsearchRequests.Document(document), ct);

    public Task<bool> DeleteAsync(Guid id, long version, CancellationToken ct) =>
        WriteAsync(index => ElasticsearchRequests.DocumentUrl(index, id, version), ElasticsearchRequests.Tombstone(id, version), ct);

    public async Task<SearchDocument?> FindBySkuAsync(string sku, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Post, $"/{_options.Alias}/_search", ElasticsearchRequests.BySku(sku), ct);
        var hit = response["hits"]!["hits"]!.AsArray().FirstOrDefault();
        return hit is null ? null : ElasticsearchRequests.ParseDocument(hit["_source"]!);
    }

    /// <summary>
    /// Rewrites the document at the same version (<c>external_gte</c>): stock is not a catalog change. A 409 means a
    /// newer catalog version landed in between: read again and retry, so the stock change is not lost.
    /// </summary>
    public async Task SetInStockAsync(Guid id, bool inStock, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var found = await _http.GetAsync(new Uri($"/{_options.Alias}/_doc/{id}", UriKind.Relative), ct);
            if (found.StatusCode == HttpStatusCode.NotFound) return;
            var source = (await ReadAsync(found, ct))["_source"]!;
            if (source["deleted"]?.GetValue<bool>() == true) return;
            var document = ElasticsearchRequests.ParseDocument(source) with { InStock = inStock };
            if (await WriteAsync(index => ElasticsearchRequests.DocumentUrl(index, id, document.Version, sameVersionAllowed: true), ElasticsearchRequests.Document(document), ct))
            {
                return;
            }
        }

        throw new HttpRequestException($"Setting inStock of {id} kept conflicting with newer writes; the event will be retried.");
    }

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var result = ElasticsearchRequests.ParseSearch(await SendAsync(HttpMethod.Post, $"/{_options.Alias}/_search", ElasticsearchRequests.Search(query, fuzzy: false), ct), 0);
        if (result.Total == 0 && query.Text is not null)
        {
            result = ElasticsearchRequests.ParseSearch(await SendAsync(HttpMethod.Post, $"/{_options.Alias}/_search", ElasticsearchRequests.Search(query, fuzzy: true), ct), 0);
        }

        return result with { TookMs = clock.Elapsed.TotalMilliseconds };
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct)
    {
        prefix = SearchText.Clean(prefix);
        if (prefix.Length == 0) return [];
        var response = await SendAsync(HttpMethod.Post, $"/{_options.Alias}/_search", ElasticsearchRequests.Suggest(prefix, limit), ct);
        return response["hits"]!["hits"]!.AsArray().Select(h => h!["_source"]!["name"]!.GetValue<string>()).Distinct(StringComparer.Ordinal).Take(limit).ToList();
    }

    public async Task<IReadOnlyDictionary<Guid, long>> VersionsAsync(CancellationToken ct)
    {
        var versions = new Dictionary<Guid, long>();
        string? after = null;
        while (true)
        {
            var hits = (await SendAsync(HttpMethod.Post, $"/{_options.Alias}/_search", ElasticsearchRequests.Versions(after, 5000), ct))["hits"]!["hits"]!.AsArray();
            if (hits.Count == 0) return versions;
            foreach (var hit in hits)
            {
                versions[Guid.Parse(hit!["_source"]!["id"]!.GetValue<string>())] = hit["_source"]!["version"]!.GetValue<long>();
            }

            after = hits[^1]!["_source"]!["id"]!.GetValue<string>();
        }
    }

    public async Task<IReindex> BeginReindexAsync(CancellationToken ct)
    {
        if (_building is not null) throw new InvalidOperationException("A reindex is already running.");
        _building = await CreateIndexAsync(ct);
        return new Reindex(this, _building);
    }

    private async Task<string> CreateIndexAsync(CancellationToken ct)
    {
        var index = $"{_options.Alias}-{time.GetUtcNow():yyyyMMddHHmmssfff}";
        await SendAsync(HttpMethod.Put, $"/{index}", ElasticsearchRequests.CreateIndex(synonyms), ct);
        return index;
    }

    /// <returns>Whether the live index took the write (409: it holds that version or a newer one).</returns>
    private async Task<bool> WriteAsync(Func<string, string> url, JsonObject body, CancellationToken ct)
    {
        var applied = await PutAsync(url(_options.Alias), body, ct);
        if (_building is { } building) await PutAsync(url(building), body, ct);
        return applied;
    }

    private async Task<bool> PutAsync(string url, JsonObject body, CancellationToken ct)
    {
        using var response = await _http.PutAsync(new Uri(url, UriKind.Relative), Json(body), ct);
        if (response.StatusCode == HttpStatusCode.Conflict) return false;
        await EnsureAsync(response);
        return true;
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string url, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = Json(body) };
        using var response = await _http.SendAsync(request, ct);
        return await ReadAsync(response, ct);
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonNode>(ct))!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Elasticsearch answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        }
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private sealed class Reindex(ElasticsearchEngine engine, string index) : IReindex
    {
        private bool _swapped;

        public async Task AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct)
        {
            if (documents.Count == 0) return;
            using var content = new StringContent(ElasticsearchRequests.Bulk(index, documents), Encoding.UTF8, "application/x-ndjson");
            using var response = await engine._http.PostAsync(new Uri("/_bulk", UriKind.Relative), content, ct);
            var result = await ReadAsync(response, ct);
            // Items refused with 409 are products a live write already put there in a newer version: keep those.
            var failed = result["items"]!.AsArray().Select(i => i!["index"]!).Where(i => i["status"]!.GetValue<int>() is >= 300 and not 409).ToList();
            if (failed.Count > 0) throw new HttpRequestException($"Bulk indexing failed for {failed.Count} documents: {failed[0]!.ToJsonString()}");
        }

        public async Task SwapAsync(CancellationToken ct)
        {
            await engine.SendAsync(HttpMethod.Post, $"/{index}/_refresh", [], ct);
            var current = (await engine.SendAsync(HttpMethod.Get, $"/_alias/{engine._options.Alias}", [], ct)).AsObject().Select(kv => kv.Key).FirstOrDefault();
            await engine.SendAsync(HttpMethod.Post, "/_aliases", ElasticsearchRequests.SwapAlias(engine._options.Alias, current, index), ct);
            engine._building = null;
            _swapped = true;
            if (current is not null)
            {
                using var deleted = await engine._http.DeleteAsync(new Uri($"/{current}", UriKind.Relative), ct);
                await EnsureAsync(deleted);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_swapped) return;
            engine._building = null;
            using var deleted = await engine._http.DeleteAsync(new Uri($"/{index}", UriKind.Relative));
        }
    }
}
