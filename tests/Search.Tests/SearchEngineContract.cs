using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Search.Api.Engines.Lucene;
using Search.Api.Engines.Postgres;

namespace Search.Tests;

/// <summary>
/// What every search engine must do — same documents, same queries, same expectations (ranking order for
/// clear cases, AND across words, typos, synonyms, facets, filters, sorts, paging, versions, stock, suggest,
/// hostile text, reindex with swap) — run against each engine on a real index or server.
/// </summary>
public abstract class SearchEngineContract : IAsyncDisposable
{
    protected static readonly Synonyms TestSynonyms = new(["sneaker, trainer, runner", "laptop, notebook"]);
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<ISearchEngine> CreateEngineAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public static SearchDocument Doc(int n, string name, string brand, string category, decimal price, string description = "", string attributes = "",
        bool inStock = true, long version = 1, string[]? variantSkus = null) =>
        new(Id(n), $"SKU-{n}", (variantSkus ?? []).Prepend($"SKU-{n}").ToList(), name, brand, category, description, attributes, price, "EUR",
            inStock, T0.AddHours(n), version);

    public static Guid Id(int n) => Guid.Parse($"00000000-0000-7000-8000-{n:D12}");

    public static readonly SearchDocument[] Corpus =
    [
        Doc(1, "Stride Trail Runner", "Stride", "shoes", 89.90m, "A light trail shoe with grip.", "red mesh waterproof", variantSkus: ["SKU-1-42", "SKU-1-43"]),
        Doc(2, "Northpeak Leather Boot", "Northpeak", "shoes", 149m, "Warm and dry in winter.", "brown leather", inStock: false),
        Doc(3, "Velo Road Sneaker", "Velo", "shoes", 59.50m, "For the city.", "white canvas"),
        Doc(4, "Corvid Ultrabook 14", "Corvid", "laptops", 1299m, "Thin, with a long battery life.", "x7"),
        Doc(5, "Lumen Notebook Pro", "Lumen", "laptops", 1899m, "Powerful enough for work.", "x9"),
        Doc(6, "Basico Crew Tee", "Basico", "t-shirts", 19m, "Soft cotton.", "red cotton", inStock: false),
        Doc(7, "Quiet Co Wireless Headphones", "Quiet Co", "headphones", 249m, "Over-ear, noise cancelling.", "black"),
        Doc(8, "Bean There Espresso Blend", "Bean There", "coffee", 12.50m, "Dark roast for a long laptop session.", "Brazil"),
        Doc(9, "Paperhouse Trail Socks", "Paperhouse", "socks", 9m, "Wool socks to wear in a boot.", "grey"),
    ];

    private async Task<ISearchEngine> WithCorpusAsync()
    {
        var engine = await CreateEngineAsync();
        foreach (var doc in Corpus)
        {
            Assert.True(await engine.UpsertAsync(doc, Ct));
        }

        return engine;
    }

    private static SearchQuery Query(string? text = null, string? category = null, string? brand = null, decimal? min = null, decimal? max = null,
        bool? inStock = null, string sort = "relevance", int page = 1, int pageSize = 20) =>
        new(text, category, brand, min, max, inStock, sort, page, pageSize);

    private static async Task<List<string>> SkusAsync(ISearchEngine engine, SearchQuery query) =>
        (await engine.SearchAsync(query, Ct)).Items.Select(h => h.Sku).ToList();

    [Fact]
    public async Task A_word_in_the_name_outranks_the_same_word_in_the_description()
    {
        var engine = await WithCorpusAsync();

        Assert.Equal(["SKU-2", "SKU-9"], await SkusAsync(engine, Query("boot")));
    }

    [Fact]
    public async Task Every_word_must_match_somewhere()
    {
        var engine = await WithCorpusAsync();

        Assert.Equal(["SKU-6"], await SkusAsync(engine, Query("red tee")));
        Assert.Equal(["SKU-1"], await SkusAsync(engine, Query("waterproof trail")));
    }

    [Theory]
    [InlineData("headphnes", "SKU-7")]
    [InlineData("ultrabok", "SKU-4")]
    [InlineData("espreso", "SKU-8")]
    public async Task A_typo_still_finds_the_product(string text, string expected)
    {
        var engine = await WithCorpusAsync();

        Assert.Equal(expected, (await SkusAsync(engine, Query(text))).FirstOrDefault());
    }

    [Theory]
    [InlineData("headphnes", "headphones")]
    [InlineData("ultrabok", "ultrabook")]
    [InlineData("espreso blend", "espresso blend")]
    public async Task A_typo_match_offers_what_the_shopper_probably_meant(string text, string meant)
    {
        var engine = await WithCorpusAsync();

        var result = await engine.SearchAsync(Query(text), Ct);

        Assert.NotEmpty(result.Items);
        Assert.Equal(meant, result.DidYouMean);
    }

    [Theory]
    [InlineData("headphones")]
    [InlineData("trail")]
    [InlineData("qwertyuiop")]                 // nothing near: no results, no guess
    public async Task Words_as_typed_that_match_or_match_nothing_get_no_suggestion(string text)
    {
        var engine = await WithCorpusAsync();
        Assert.Null((await engine.SearchAsync(Query(text), Ct)).DidYouMean);
    }

    [Theory]
    [InlineData("the")]
    [InlineData("a of")]
    public async Task Text_of_stop_words_only_never_matches_everything(string text)
    {
        // Lucene answers nothing; PostgreSQL's trigram fallback may still find a near word ("the" in "There").
        var engine = await WithCorpusAsync();
        Assert.InRange((await engine.SearchAsync(Query(text), Ct)).Total, 0, 1);
    }

    [Fact]
    public async Task Synonyms_find_each_other()
    {
        var engine = await WithCorpusAsync();

        Assert.Equal(["SKU-1", "SKU-3"], (await SkusAsync(engine, Query("trainer"))).Order());
        Assert.Contains("SKU-5", await SkusAsync(engine, Query("laptop", category: "laptops")));
    }

    [Fact]
    public async Task Facets_count_brand_category_and_price_buckets_over_the_matches()
    {
        var engine = await WithCorpusAsync();

        var result = await engine.SearchAsync(Query(category: "shoes"), Ct);

        Assert.Equal(3, result.Total);
        Assert.Equal([("Northpeak", 1L), ("Stride", 1L), ("Velo", 1L)], result.Facets.Brand.Select(f => (f.Value, f.Count)));
        Assert.Equal([("shoes", 3L)], result.Facets.Category.Select(f => (f.Value, f.Count)));
        Assert.Equal([(50m, (decimal?)100m, 2L), (100m, 250m, 1L)], result.Facets.Price.Select(b => (b.From, b.To, b.Count)));

        var all = await engine.SearchAsync(Query(), Ct);
        Assert.Equal(("shoes", 3L), (all.Facets.Category[0].Value, all.Facets.Category[0].Count));
        Assert.Equal(9, all.Facets.Category.Sum(f => f.Count));
    }

    [Fact]
    public async Task Filters_narrow_by_category_brand_price_and_stock()
    {
        var engine = await WithCorpusAsync();

        Assert.Equal(["SKU-1", "SKU-3"], (await SkusAsync(engine, Query(category: "shoes", inStock: true))).Order());
        Assert.Equal(["SKU-1", "SKU-3"], (await SkusAsync(engine, Query(min: 50m, max: 100m))).Order());
        Assert.Equal(["SKU-3"], await SkusAsync(engine, Query(brand: "Velo")));
        Assert.Equal(["SKU-6"], await SkusAsync(engine, Query("red", inStock: false)));
        Assert.Empty(await SkusAsync(engine, Query("boot", category: "laptops")));
    }

    [Fact]
    public async Task Sorts_and_pages_are_stable()
    {
        var engine = await WithCorpusAsync();
        var byPrice = Corpus.OrderBy(d => d.Price).Select(d => d.Sku).ToList();

        Assert.Equal(byPrice, await SkusAsync(engine, Query(sort: "price")));
        Assert.Equal(byPrice.AsEnumerable().Reverse(), await SkusAsync(engine, Query(sort: "-price")));
        Assert.Equal(Corpus.OrderByDescending(d => d.CreatedAt).Select(d => d.Sku), await SkusAsync(engine, Query(sort: "newest")));
        var page2 = await engine.SearchAsync(Query(sort: "price", page: 2, pageSize: 4), Ct);
        Assert.Equal(byPrice.Skip(4).Take(4), page2.Items.Select(h => h.Sku));
        Assert.Equal(9, page2.Total);
    }

    [Fact]
    public async Task An_older_version_never_replaces_a_newer_one_and_a_delete_is_final_for_older_versions()
    {
        var engine = await CreateEngineAsync();
        var v1 = Doc(50, "Versioned Mug", "Acme", "mugs", 10m, version: 1);

        Assert.True(await engine.UpsertAsync(v1, Ct));
        Assert.True(await engine.UpsertAsync(v1 with { Name = "Versioned Cup", Version = 3 }, Ct));
        Assert.False(await engine.UpsertAsync(v1 with { Name = "Versioned Bowl", Version = 2 }, Ct));
        Assert.False(await engine.UpsertAsync(v1 with { Name = "Versioned Bowl", Version = 3 }, Ct));
        Assert.Equal(["Versioned Cup"], (await engine.SearchAsync(Query("versioned"), Ct)).Items.Select(h => h.Name));
        Assert.Equal(3, (await engine.VersionsAsync(Ct))[v1.Id]);

        Assert.False(await engine.DeleteAsync(v1.Id, 2, Ct));
        Assert.True(await engine.DeleteAsync(v1.Id, 4, Ct));
        Assert.False(await engine.UpsertAsync(v1 with { Version = 4 }, Ct));
        Assert.Empty((await engine.SearchAsync(Query("versioned"), Ct)).Items);
        Assert.False((await engine.VersionsAsync(Ct)).ContainsKey(v1.Id));

        Assert.True(await engine.UpsertAsync(v1 with { Name = "Versioned Mug Again", Version = 5 }, Ct));
        Assert.Equal(["Versioned Mug Again"], (await engine.SearchAsync(Query("versioned"), Ct)).Items.Select(h => h.Name));
    }

    [Fact]
    public async Task Stock_changes_find_the_product_by_any_of_its_skus_and_flip_the_in_stock_filter()
    {
        var engine = await WithCorpusAsync();

        var owner = await engine.FindBySkuAsync("SKU-1-43", Ct);
        Assert.Equal(Id(1), owner?.Id);
        Assert.Null(await engine.FindBySkuAsync("NO-SUCH-SKU", Ct));

        await engine.SetInStockAsync(Id(1), false, Ct);

        Assert.Equal(["SKU-3"], await SkusAsync(engine, Query(category: "shoes", inStock: true)));
        Assert.Equal(1, (await engine.VersionsAsync(Ct))[Id(1)]);
    }

    [Fact]
    public async Task Several_in_stock_flags_are_set_in_one_call_and_only_those_products_change()
    {
        var engine = await WithCorpusAsync();

        await engine.SetInStockAsync(new Dictionary<Guid, bool> { [Id(1)] = false, [Id(3)] = false }, Ct);
        Assert.Empty(await SkusAsync(engine, Query(category: "shoes", inStock: true)));

        await engine.SetInStockAsync(new Dictionary<Guid, bool> { [Id(1)] = true, [Id(3)] = false }, Ct);
        Assert.Equal(["SKU-1"], await SkusAsync(engine, Query(category: "shoes", inStock: true)));
        Assert.Equal(1, (await engine.VersionsAsync(Ct))[Id(1)]);
    }

    [Fact]
    public async Task Suggest_completes_word_prefixes_from_product_names()
    {
        var engine = await WithCorpusAsync();

        Assert.Equal(["Corvid Ultrabook 14"], await engine.SuggestAsync("cor", 10, Ct));
        Assert.Equal(["Quiet Co Wireless Headphones"], await engine.SuggestAsync("wirel", 10, Ct));
        Assert.Equal(["Paperhouse Trail Socks", "Stride Trail Runner"], (await engine.SuggestAsync("trai", 10, Ct)).Order());
        Assert.Empty(await engine.SuggestAsync("zzzq", 10, Ct));
    }

    [Fact]
    public async Task Matched_words_are_highlighted_in_the_name()
    {
        var engine = await WithCorpusAsync();

        var hit = (await engine.SearchAsync(Query("boot"), Ct)).Items[0];

        Assert.Equal("Northpeak Leather <em>Boot</em>", hit.Highlight);
    }

    public static TheoryData<string> HostileText => new()
    {
        "\"", "*", ":", "(", ")", "\"unbalanced", "a) OR (b", "name:boot", "boot~2", "title:*", "' OR 1=1 --", "'; DROP TABLE search_products; --",
        "\\", "%_%", "<script>alert(1)</script>", "!!!", "&|!", "a & b | !c", "\u0000", "🙂 boot", new string('x', 200), string.Join(' ', Enumerable.Repeat("boot", 40)),
    };

    [Theory]
    [MemberData(nameof(HostileText))]
    public async Task Any_text_is_only_words_never_syntax_or_sql(string text)
    {
        var engine = await WithCorpusAsync();

        var result = await engine.SearchAsync(Query(text), Ct);
        var suggestions = await engine.SuggestAsync(text, 10, Ct);

        Assert.InRange(result.Total, 0, Corpus.Length);
        Assert.InRange(suggestions.Count, 0, 10);
        Assert.Equal(Corpus.Length, (await engine.SearchAsync(Query(), Ct)).Total);
    }

    [Fact]
    public async Task A_reindex_is_swapped_in_whole_and_keeps_writes_made_while_it_ran()
    {
        var engine = await WithCorpusAsync();

        await using (var reindex = await engine.BeginReindexAsync(Ct))
        {
            await reindex.AddAsync([Corpus[0] with { Name = "Stride Trail Runner II", Version = 2 }, Corpus[3]], Ct);
            Assert.True(await engine.UpsertAsync(Doc(60, "Written During Reindex", "Acme", "mugs", 5m), Ct));
            await reindex.AddAsync([Corpus[6]], Ct);

            Assert.Equal(10, (await engine.SearchAsync(Query(), Ct)).Total); // the old index answers until the swap
            await reindex.SwapAsync(Ct);
        }

        var after = await engine.SearchAsync(Query(sort: "price"), Ct);
        Assert.Equal(["SKU-60", "SKU-1", "SKU-7", "SKU-4"], after.Items.Select(h => h.Sku));
        Assert.Equal("Stride Trail Runner II", after.Items[1].Name);
        Assert.Equal(4, (await engine.VersionsAsync(Ct)).Count);
    }

    [Fact]
    public async Task A_product_written_live_and_by_the_rebuild_is_in_the_new_index_once_at_its_newest_version()
    {
        var engine = await CreateEngineAsync();

        await using (var reindex = await engine.BeginReindexAsync(Ct))
        {
            // Live before the rebuild reaches it (the rebuild's older copy is dropped), and live after it (replaces it).
            Assert.True(await engine.UpsertAsync(Corpus[0] with { Name = "Stride Trail Runner III", Version = 3 }, Ct));
            await reindex.AddAsync([Corpus[0] with { Version = 2 }, Corpus[2]], Ct);
            Assert.True(await engine.UpsertAsync(Corpus[2] with { Name = "Velo Road Sneaker II", Version = 2 }, Ct));
            await reindex.SwapAsync(Ct);
        }

        var all = await engine.SearchAsync(Query(sort: "price"), Ct);
        Assert.Equal(["Velo Road Sneaker II", "Stride Trail Runner III"], all.Items.Select(h => h.Name));
        Assert.Equal(2, all.Total);
    }
}

public sealed class LuceneEngineTests : SearchEngineContract
{
    private readonly List<LuceneEngine> _engines = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "search-tests", Guid.NewGuid().ToString("N")[..12]);

    protected override async Task<ISearchEngine> CreateEngineAsync()
    {
        var options = new LuceneOptions { Directory = Path.Combine(_root, _engines.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), RetireAfter = TimeSpan.FromMilliseconds(200) };
        var engine = new LuceneEngine(options, TestSynonyms, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _root },
            NullLogger<LuceneEngine>.Instance);
        await engine.InitializeAsync(Ct);
        _engines.Add(engine);
        return engine;
    }

    [Fact]
    public async Task A_restarted_engine_reopens_its_index_with_versions_and_tombstones()
    {
        var options = new LuceneOptions { Directory = Path.Combine(_root, "restart") };
        var env = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _root };
        using (var first = new LuceneEngine(options, TestSynonyms, env, NullLogger<LuceneEngine>.Instance))
        {
            await first.InitializeAsync(Ct);
            await first.UpsertAsync(Corpus[0], Ct);
            await first.UpsertAsync(Corpus[1] with { Version = 4 }, Ct);
            await first.DeleteAsync(Corpus[1].Id, 5, Ct);
        }

        using var second = new LuceneEngine(options, TestSynonyms, env, NullLogger<LuceneEngine>.Instance);
        await second.InitializeAsync(Ct);

        Assert.Equal([Corpus[0].Id], (await second.VersionsAsync(Ct)).Keys);
        Assert.False(await second.UpsertAsync(Corpus[1] with { Version = 5 }, Ct));
        Assert.Equal(["SKU-1"], (await second.SearchAsync(new SearchQuery(null, null, null, null, null, null, "relevance", 1, 20), Ct)).Items.Select(h => h.Sku));
    }

    [Fact]
    public async Task A_flushed_write_is_in_the_index_on_disk_before_any_background_commit()
    {
        // The consumers acknowledge an event only after FlushAsync: a SIGKILL must not lose what was acknowledged.
        var options = new LuceneOptions { Directory = Path.Combine(_root, "flush"), CommitInterval = TimeSpan.FromHours(1) };
        var env = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _root };
        using var engine = new LuceneEngine(options, TestSynonyms, env, NullLogger<LuceneEngine>.Instance);
        await engine.InitializeAsync(Ct);
        await engine.UpsertAsync(Corpus[0], Ct);
        var index = Path.Combine(options.Directory, File.ReadAllText(Path.Combine(options.Directory, "current")).Trim());
        int Committed()
        {
            // What a process started after a crash would read: the last commit on disk, not the writer's memory.
            using var directory = Lucene.Net.Store.FSDirectory.Open(index);
            if (!Lucene.Net.Index.DirectoryReader.IndexExists(directory)) return 0; // no commit at all yet
            using var reader = Lucene.Net.Index.DirectoryReader.Open(directory);
            return reader.NumDocs;
        }

        var before = Committed();
        await engine.FlushAsync(Ct);

        Assert.Equal(0, before);
        Assert.True(Committed() >= 1, "the flushed document is not in the committed index");
    }

    public override ValueTask DisposeAsync()
    {
        foreach (var engine in _engines) engine.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        return base.DisposeAsync();
    }
}

public sealed class PostgresEngineTests(TestInfrastructure infrastructure) : SearchEngineContract
{
    private readonly List<NpgsqlDataSource> _sources = [];

    protected override async Task<ISearchEngine> CreateEngineAsync()
    {
        var source = NpgsqlDataSource.Create(await infrastructure.CreateDatabaseAsync("search"));
        _sources.Add(source);
        var engine = new PostgresSearchEngine(source, TestSynonyms, NullLogger<PostgresSearchEngine>.Instance);
        await engine.InitializeAsync(Ct);
        return engine;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var source in _sources) await source.DisposeAsync();
        await base.DisposeAsync();
    }
}
