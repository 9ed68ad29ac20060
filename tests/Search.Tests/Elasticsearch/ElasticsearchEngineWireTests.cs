using System.Text;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Elastic.Transport.Extensions;
using Search.Api.Engines.Elasticsearch;

namespace Search.Tests.Elasticsearch;

/// <summary>
/// A stand-in for the server behind the client's transport: it records every call (method, path with query, body) and
/// answers each with what <see cref="Answer"/> says — no network, no server.
/// </summary>
public sealed class FakeElasticsearch : IRequestInvoker
{
    private static readonly Dictionary<string, IEnumerable<string>> ProductHeader = new() { ["x-elastic-product"] = ["Elasticsearch"] };

    public List<(string Method, string Path, string? Body)> Calls { get; } = [];

    /// <summary>(method, path with query) → (status, JSON body); <c>{}</c> with 200 unless told otherwise.</summary>
    public Func<string, string, (int Status, string Body)> Answer { get; set; } = (_, _) => (200, "{}");

    public ResponseFactory ResponseFactory => new InMemoryRequestInvoker().ResponseFactory;

    public ElasticsearchClient Client() =>
        new(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://es.invalid:9200")), this).DisableDirectStreaming());

    public async Task<TResponse> RequestAsync<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData,
        CancellationToken cancellationToken) where TResponse : TransportResponse, new()
    {
        var method = endpoint.Method.ToString().ToUpperInvariant();
        var path = endpoint.Uri.PathAndQuery;
        var (status, body) = Answer(method, path);
        using var invoker = new InMemoryRequestInvoker(Encoding.UTF8.GetBytes(body), status, null, "application/json", ProductHeader);
        var response = await invoker.RequestAsync<TResponse>(endpoint, boundConfiguration, postData, cancellationToken);
        var sent = response.ApiCallDetails.RequestBodyInBytes;
        Calls.Add((method, path, sent is { Length: > 0 } ? Encoding.UTF8.GetString(sent) : null));
        return response;
    }

    public TResponse Request<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData)
        where TResponse : TransportResponse, new() => throw new NotSupportedException("The engine only calls asynchronously.");

    public void Dispose()
    {
    }
}

/// <summary>The engine's calls and its reading of the answers (conflicts, failures), on a fake transport.</summary>
public sealed class ElasticsearchEngineWireTests : IDisposable
{
    private static readonly SearchDocument Doc = SearchEngineContract.Corpus[0] with { Version = 7 };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeElasticsearch _server = new();

    private ElasticsearchEngine Engine() =>
        new(_server.Client(), new ElasticsearchOptions { Alias = "products" }, new Synonyms([]), TimeProvider.System);

    public void Dispose() => _server.Dispose();

    private static string Source(ElasticsearchProduct product) =>
        new ElasticsearchClient(new ElasticsearchClientSettings(new Uri("http://es.invalid:9200"))).SourceSerializer.SerializeToString(product);

    private static string SearchAnswer(params (string Sku, string Name)[] hits)
    {
        var items = hits.Select((h, i) =>
            "{\"_index\":\"products-1\",\"_id\":\"" + SearchEngineContract.Id(i + 1) + "\",\"_score\":1.0,\"_source\":{\"id\":\"" + SearchEngineContract.Id(i + 1)
            + "\",\"sku\":\"" + h.Sku + "\",\"name\":\"" + h.Name + "\",\"brand\":\"Quiet Co\",\"category\":\"headphones\",\"price\":249,\"currency\":\"EUR\",\"inStock\":true}}");
        return "{\"took\":1,\"timed_out\":false,\"hits\":{\"total\":{\"value\":" + hits.Length + ",\"relation\":\"eq\"},\"hits\":[" + string.Join(',', items)
            + "]},\"aggregations\":{\"sterms#brand\":{\"buckets\":[]},\"sterms#category\":{\"buckets\":[]},\"range#price\":{\"buckets\":[]}}}";
    }

    [Fact]
    public async Task A_typo_fallback_that_finds_products_offers_a_did_you_mean_and_an_exact_hit_does_not()
    {
        var searches = 0;
        _server.Answer = (method, path) => path.Contains("_search", StringComparison.Ordinal) && ++searches == 1
            ? (200, SearchAnswer())                                          // the words as typed: nothing
            : (200, SearchAnswer(("SKU-7", "Quiet Co Wireless Headphones"))); // the fuzzy retry

        var typo = await Engine().SearchAsync(new SearchQuery("wireles headphnes", null, null, null, null, null, "relevance", 1, 20), Ct);
        searches = 1; // from now on every search answers the hit at once: no fallback
        var exact = await Engine().SearchAsync(new SearchQuery("wireless headphones", null, null, null, null, null, "relevance", 1, 20), Ct);

        Assert.Equal(("wireless headphones", 1L), (typo.DidYouMean, typo.Total));
        Assert.Contains("\"fuzziness\"", _server.Calls[1].Body, StringComparison.Ordinal);
        Assert.Null(exact.DidYouMean);
        Assert.Equal(3, _server.Calls.Count);
    }

    [Fact]
    public async Task A_write_is_a_put_with_the_external_version_refreshed_and_a_409_means_not_applied()
    {
        var engine = Engine();

        Assert.True(await engine.UpsertAsync(Doc, Ct));
        _server.Answer = (_, _) => (409, """{"error":{"type":"version_conflict_engine_exception","reason":"current version [9] is higher"},"status":409}""");
        Assert.False(await engine.DeleteAsync(Doc.Id, 8, Ct));

        Assert.Equal([
            ("PUT", $"/products/_doc/{Doc.Id}?version=7&version_type=external&refresh=true"),
            ("PUT", $"/products/_doc/{Doc.Id}?version=8&version_type=external&refresh=true")], _server.Calls.Select(c => (c.Method, c.Path)));
        Assert.Equal("Stride Trail Runner", JsonNode.Parse(_server.Calls[0].Body!)!["name"]!.GetValue<string>());
        Assert.True(JsonNode.Parse(_server.Calls[1].Body!)!["deleted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Any_other_error_is_an_http_request_exception_naming_the_server_error()
    {
        _server.Answer = (_, _) => (400, """{"error":{"type":"mapper_parsing_exception","reason":"failed to parse"},"status":400}""");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Engine().UpsertAsync(Doc, Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("mapper_parsing_exception: failed to parse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stock_change_rewrites_the_same_version_and_reads_again_after_a_conflict()
    {
        var conflicts = 1;
        var stored = Source(ElasticsearchProduct.From(Doc));
        _server.Answer = (method, _) => method switch
        {
            "GET" => (200, $$"""{"_index":"products-1","_id":"{{Doc.Id}}","_version":7,"found":true,"_source":{{stored}}}"""),
            _ when conflicts-- > 0 => (409, """{"error":{"type":"version_conflict_engine_exception","reason":"newer"},"status":409}"""),
            _ => (200, "{}"),
        };

        await Engine().SetInStockAsync(Doc.Id, false, Ct);

        Assert.Equal([
            ("GET", $"/products/_doc/{Doc.Id}"),
            ("PUT", $"/products/_doc/{Doc.Id}?version=7&version_type=external_gte&refresh=true"),
            ("GET", $"/products/_doc/{Doc.Id}"),
            ("PUT", $"/products/_doc/{Doc.Id}?version=7&version_type=external_gte&refresh=true")], _server.Calls.Select(c => (c.Method, c.Path)));
        Assert.False(JsonNode.Parse(_server.Calls[^1].Body!)!["inStock"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_stock_change_gives_up_after_five_conflicts_and_skips_unknown_or_deleted_products()
    {
        var stored = Source(ElasticsearchProduct.From(Doc));
        _server.Answer = (method, _) => method == "GET"
            ? (200, $$"""{"_index":"products-1","_id":"{{Doc.Id}}","found":true,"_source":{{stored}}}""")
            : (409, """{"error":{"type":"version_conflict_engine_exception","reason":"newer"},"status":409}""");

        await Assert.ThrowsAsync<HttpRequestException>(() => Engine().SetInStockAsync(Doc.Id, false, Ct));
        Assert.Equal(5, _server.Calls.Count(c => c.Method == "PUT"));

        _server.Calls.Clear();
        _server.Answer = (_, _) => (404, $$"""{"_index":"products-1","_id":"{{Doc.Id}}","found":false}""");
        await Engine().SetInStockAsync(Doc.Id, false, Ct);
        var tombstone = Source(ElasticsearchProduct.Tombstone(Doc.Id, 9));
        _server.Answer = (_, _) => (200, $$"""{"_index":"products-1","_id":"{{Doc.Id}}","found":true,"_source":{{tombstone}}}""");
        await Engine().SetInStockAsync(Doc.Id, false, Ct);
        Assert.DoesNotContain(_server.Calls, c => c.Method == "PUT");
    }

    [Fact]
    public async Task Start_up_creates_the_first_index_and_points_the_alias_at_it_only_when_the_alias_is_missing()
    {
        _server.Answer = (method, _) => method == "HEAD" ? (404, "") : (200, """{"acknowledged":true}""");

        await Engine().InitializeAsync(Ct);

        Assert.Equal([("HEAD", "/_alias/products"), ("PUT", "/products-*"), ("POST", "/_aliases")],
            _server.Calls.Select(c => (c.Method, System.Text.RegularExpressions.Regex.Replace(c.Path, "^/products-[0-9]{17}$", "/products-*"))));
        var index = _server.Calls[1].Path.TrimStart('/');
        Assert.Equal("strict", JsonNode.Parse(_server.Calls[1].Body!)!["mappings"]!["dynamic"]!.GetValue<string>());
        Assert.Equal(index, JsonNode.Parse(_server.Calls[2].Body!)!["actions"]![0]!["add"]!["index"]!.GetValue<string>());

        _server.Calls.Clear();
        _server.Answer = (_, _) => (200, "");
        await Engine().InitializeAsync(Ct);
        Assert.Equal(["HEAD /_alias/products"], _server.Calls.Select(c => $"{c.Method} {c.Path}"));
    }

    [Fact]
    public async Task During_a_reindex_writes_go_to_both_indexes_and_the_swap_moves_the_alias_and_drops_the_old_index()
    {
        _server.Answer = (method, path) => (method, path) switch
        {
            ("GET", "/_alias/products") => (200, """{"products-old":{"aliases":{"products":{}}}}"""),
            ("POST", "/_bulk") => (200, $$$$"""{"took":1,"errors":true,"items":[{"index":{"_index":"new","_id":"{{{{Doc.Id}}}}","status":409,"error":{"type":"version_conflict_engine_exception","reason":"newer"}}}]}"""),
            _ => (200, """{"acknowledged":true}"""),
        };
        var engine = Engine();

        await using (var reindex = await engine.BeginReindexAsync(Ct))
        {
            var index = _server.Calls[0].Path.TrimStart('/');
            Assert.True(await engine.UpsertAsync(Doc, Ct));
            await reindex.AddAsync([Doc], Ct);
            await reindex.SwapAsync(Ct);

            Assert.Equal([
                ("PUT", $"/{index}"),
                ("PUT", $"/products/_doc/{Doc.Id}?version=7&version_type=external&refresh=true"),
                ("PUT", $"/{index}/_doc/{Doc.Id}?version=7&version_type=external&refresh=true"),
                ("POST", "/_bulk"),
                ("POST", $"/{index}/_refresh"),
                ("GET", "/_alias/products"),
                ("POST", "/_aliases"),
                ("DELETE", "/products-old")], _server.Calls.Select(c => (c.Method, c.Path)));
            Assert.Equal(index, JsonNode.Parse(_server.Calls[3].Body!.Split('\n')[0])!["index"]!["_index"]!.GetValue<string>());
            Assert.Equal(("products-old", index), (JsonNode.Parse(_server.Calls[6].Body!)!["actions"]![0]!["remove"]!["index"]!.GetValue<string>(),
                JsonNode.Parse(_server.Calls[6].Body!)!["actions"]![1]!["add"]!["index"]!.GetValue<string>()));
        }

        _server.Calls.Clear();
        await engine.UpsertAsync(Doc, Ct);
        Assert.Single(_server.Calls); // the rebuild is over: live writes go to the alias only
    }

    [Fact]
    public async Task A_bulk_item_that_failed_for_another_reason_than_a_newer_version_fails_the_batch_and_an_abandoned_rebuild_drops_its_index()
    {
        _server.Answer = (method, path) => path == "/_bulk"
            ? (200, $$$$"""{"took":1,"errors":true,"items":[{"index":{"_index":"new","_id":"{{{{Doc.Id}}}}","status":400,"error":{"type":"mapper_parsing_exception","reason":"bad price"}}}]}""")
            : (200, """{"acknowledged":true}""");
        var engine = Engine();

        var reindex = await engine.BeginReindexAsync(Ct);
        var index = _server.Calls[0].Path;
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => reindex.AddAsync([Doc], Ct));
        await reindex.DisposeAsync();

        Assert.Contains("mapper_parsing_exception: bad price", error.Message, StringComparison.Ordinal);
        Assert.Equal(("DELETE", index), (_server.Calls[^1].Method, _server.Calls[^1].Path));
        await using var again = await engine.BeginReindexAsync(Ct); // the engine is free for the next rebuild
    }
}
