using System.Diagnostics;
using System.Text.Json;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using StackExchange.Redis;

namespace Search.Tests;

/// <summary>The search service as clients and the event streams see it: validation, events in, freshness, admin calls.</summary>
public sealed class SearchApiTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly string _index = Path.Combine(Path.GetTempPath(), "search-api-tests", Guid.NewGuid().ToString("N")[..12]);
    private ServiceFactory<Program> _service = null!;
    private ConnectionMultiplexer _redis = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(redis);
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Search:Lucene:Directory"] = _index,
            ["Search:ReindexWhenEmpty"] = "false",
            ["Search:ReconcileInterval"] = "00:00:00",
            ["Search:StockKey"] = $"search:stock:{Guid.NewGuid():N}",
            ["Consumers:PollInterval"] = "00:00:00.050",
        });
        _client = _service.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync();
        await _redis.DisposeAsync();
        if (Directory.Exists(_index)) Directory.Delete(_index, recursive: true);
    }

    private static ProductSnapshot Product(Guid id, string name, long version = 1, string status = "active", string sku = "SKU-A", decimal price = 10m) =>
        new(id, sku, name, "A product.", "Acme", "mugs", price, "EUR", new Dictionary<string, JsonElement>(), [], [], status, version,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private async Task PublishAsync(string stream, IntegrationEvent e) =>
        await _redis.GetDatabase().StreamAddAsync(EventStreams.Key(stream),
        [
            new("id", Guid.CreateVersion7().ToString()), new("type", e.GetType().Name),
            new("data", JsonSerializer.Serialize(e, IntegrationEventJson.Default.IntegrationEvent)),
        ]);

    private async Task<SearchResult> SearchAsync(string query) =>
        (await _client.GetFromJsonAsync<SearchResult>($"/api/search?{query}", Ct))!;

    private async Task<TimeSpan> UntilAsync(string query, Func<SearchResult, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (done(await SearchAsync(query))) return clock.Elapsed;
            await Task.Delay(5, Ct);
        }

        Assert.Fail($"Search never satisfied the condition for '{query}' within 10 s.");
        return clock.Elapsed;
    }

    [Theory]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=101")]
    [InlineData("page=0")]
    [InlineData("page=101")]
    [InlineData("page=abc")]
    [InlineData("sort=popularity")]
    [InlineData("minPrice=20&maxPrice=10")]
    [InlineData("minPrice=-1")]
    [InlineData("maxPrice=lots")]
    [InlineData("inStock=maybe")]
    public async Task Bad_search_parameters_are_400_problems(string query)
    {
        using var response = await _client.GetAsync(new Uri($"/api/search?{query}", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Overlong_text_and_bad_suggest_calls_are_400_problems()
    {
        using var longText = await _client.GetAsync(new Uri($"/api/search?q={new string('a', 201)}", UriKind.Relative), Ct);
        using var emptySuggest = await _client.GetAsync(new Uri("/api/search/suggest?q=", UriKind.Relative), Ct);
        using var bigLimit = await _client.GetAsync(new Uri("/api/search/suggest?q=ab&limit=50", UriKind.Relative), Ct);

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], [longText.StatusCode, emptySuggest.StatusCode, bigLimit.StatusCode]);
    }

    [Theory]
    [InlineData("%22")]
    [InlineData("*")]
    [InlineData("a%3Ab")]
    [InlineData("(")]
    [InlineData("%22unbalanced")]
    [InlineData("%27%3B%20DROP%20TABLE%20x%3B--")]
    // A NUL is not text: it is refused with a 400 at the edge (HostileInputTests), not searched.
    public async Task Special_characters_are_searched_as_text_never_a_500(string q)
    {
        using var search = await _client.GetAsync(new Uri($"/api/search?q={q}", UriKind.Relative), Ct);
        using var suggest = await _client.GetAsync(new Uri($"/api/search/suggest?q={q}x", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(HttpStatusCode.OK, suggest.StatusCode);
    }

    [Theory]
    [InlineData("!!!")]
    [InlineData("%F0%9F%99%82")]                 // 🙂
    [InlineData("%F0%9F%91%9F%F0%9F%91%9F%20%E2%98%85")] // 👟👟 ★
    [InlineData("%E2%80%94%20%2A%20%3F")]         // — * ?
    public async Task A_query_of_only_symbols_or_emoji_finds_nothing_not_the_whole_catalogue(string q)
    {
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(Guid.CreateVersion7(), "Glazed Teapot")));
        await UntilAsync("", r => r.Total == 1);

        var result = await SearchAsync($"q={q}");

        Assert.Equal(0, result.Total);
        Assert.Empty(result.Items);
        Assert.Null(result.DidYouMean);
    }

    [Fact]
    public async Task A_typo_answers_the_product_and_a_did_you_mean()
    {
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(Guid.CreateVersion7(), "Glazed Teapot")));
        await UntilAsync("q=teapot", r => r.Total == 1);

        using var response = await _client.GetAsync(new Uri("/api/search?q=glazd%20teapot", UriKind.Relative), Ct);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(1, json.RootElement.GetProperty("total").GetInt64());
        Assert.Equal("glazed teapot", json.RootElement.GetProperty("didYouMean").GetString());
    }

    [Fact]
    public async Task Catalog_events_keep_the_index_current_and_an_older_version_never_wins()
    {
        var id = Guid.CreateVersion7();
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, "Glazed Teapot", version: 2)));
        await UntilAsync("q=teapot", r => r.Total == 1);

        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, "Glazed Kettle", version: 1)));
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, "Glazed Teapot Deluxe", version: 3)));
        await UntilAsync("q=deluxe", r => r.Total == 1);
        Assert.Equal(0, (await SearchAsync("q=kettle")).Total);

        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, "Glazed Teapot Deluxe", version: 4, status: "draft")));
        await UntilAsync("q=glazed", r => r.Total == 0);
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, "Glazed Teapot Deluxe", version: 5)));
        await UntilAsync("q=glazed", r => r.Total == 1);
        await PublishAsync(EventStreams.Catalog, new ProductDeleted(id, "SKU-A", 6, []));
        await UntilAsync("q=glazed", r => r.Total == 0);
    }

    [Fact]
    public async Task Stock_events_set_the_in_stock_flag_even_when_they_arrive_before_the_product()
    {
        var id = Guid.CreateVersion7();
        await PublishAsync(EventStreams.Ordering, new StockChanged("STOCKED-1", 3));
        await Task.Delay(300, Ct); // the stock event is handled first
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, "Stoneware Jug", sku: "STOCKED-1")));
        await UntilAsync("q=jug&inStock=true", r => r.Total == 1);

        await PublishAsync(EventStreams.Ordering, new StockChanged("STOCKED-1", 0));
        await UntilAsync("q=jug&inStock=false", r => r.Total == 1 && !r.Items[0].InStock);
    }

    [Fact]
    public async Task Stock_events_that_arrive_together_leave_the_flag_of_each_skus_last_level()
    {
        // The consumer applies a pass's stock events at once (the last level per sku): added in one Redis transaction,
        // they are read in one pass. A first-wins or any-wins mistake leaves the flag where it was and never passes.
        await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(Guid.CreateVersion7(), "Enamel Colander", sku: "TOGETHER-1")));
        await PublishAsync(EventStreams.Ordering, new StockChanged("TOGETHER-1", 3));
        await UntilAsync("q=colander&inStock=true", r => r.Total == 1);

        await PublishTogetherAsync(new StockChanged("TOGETHER-1", 7), new StockChanged("TOGETHER-1", 0));
        await UntilAsync("q=colander&inStock=false", r => r.Total == 1 && !r.Items[0].InStock);

        await PublishTogetherAsync(new StockChanged("TOGETHER-1", 0), new StockChanged("TOGETHER-1", 4));
        await UntilAsync("q=colander&inStock=true", r => r.Total == 1);
    }

    private async Task PublishTogetherAsync(params StockChanged[] events)
    {
        var transaction = _redis.GetDatabase().CreateTransaction();
        var adds = events.Select(e => transaction.StreamAddAsync(EventStreams.Key(EventStreams.Ordering),
        [
            new("id", Guid.CreateVersion7().ToString()), new("type", nameof(StockChanged)),
            new("data", JsonSerializer.Serialize<IntegrationEvent>(e, IntegrationEventJson.Default.IntegrationEvent)),
        ])).ToList();
        Assert.True(await transaction.ExecuteAsync());
        await Task.WhenAll(adds);
    }

    /// <summary>
    /// Freshness: 100 updates, each timed from XADD on the catalog stream until a search finds the new name.
    /// The figure is reported (test output); the goal (p99 under 1 s) is a measurement, not a timed assertion.
    /// </summary>
    [Fact]
    public async Task Every_update_becomes_searchable_and_the_delay_is_measured()
    {
        var id = Guid.CreateVersion7();
        var delays = new List<double>();
        for (var version = 1; version <= 100; version++)
        {
            var word = "fresh" + string.Concat(version.ToString("D3", System.Globalization.CultureInfo.InvariantCulture).Select(c => (char)('a' + c - '0')));
            var clock = Stopwatch.StartNew();
            await PublishAsync(EventStreams.Catalog, new ProductUpserted(Product(id, $"Mug {word}", version)));
            // The name, not the count: typo tolerance would match the previous name, one letter away.
            await UntilAsync($"q={word}", r => r.Items.Any(h => h.Name == $"Mug {word}"));
            delays.Add(clock.Elapsed.TotalMilliseconds);
        }

        delays.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine($"Search freshness over 100 updates: p50 {delays[49]:F1} ms, p99 {delays[98]:F1} ms, max {delays[99]:F1} ms");
        Assert.Single((await SearchAsync("q=mug")).Items); // 100 versions of one product, one hit
    }

    [Fact]
    public async Task Reindex_and_reconcile_are_for_admins_only()
    {
        using var anonymous = await _client.PostAsync(new Uri("/api/search/reindex", UriKind.Relative), null, Ct);
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.NewGuid()));
        using var asCustomer = await customer.PostAsync(new Uri("/api/search/reconcile", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
    }
}
