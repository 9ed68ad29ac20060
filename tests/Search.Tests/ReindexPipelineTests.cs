using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Ecommerce.Contracts.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Search.Api.Indexing;

namespace Search.Tests;

/// <summary>
/// The admin reindex end to end inside search-api: catalog pages and inventory lookups come from a real HTTP server
/// this test controls, the index is the real Lucene one. Enough pages that the rebuild runs well past its read-ahead,
/// so pages are in every stage of the pipeline at once.
/// </summary>
public sealed class ReindexPipelineTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    // 23 pages of 100 (the last one short): several times the pages the rebuild reads ahead.
    private const int Products = 2_250;

    private readonly string _index = Path.Combine(Path.GetTempPath(), "search-reindex-pipeline", Guid.NewGuid().ToString("N")[..12]);
    private readonly Upstream _upstream = new();
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _upstream.StartAsync();
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
            ["Search:Lucene:Directory"] = _index,
            ["Search:ReindexWhenEmpty"] = "false",
            ["Search:ReconcileInterval"] = "00:00:00",
            ["Search:StockKey"] = $"search:stock:{Guid.NewGuid():N}",
            ["Search:CatalogUrl"] = _upstream.Url,
            ["Search:InventoryUrl"] = _upstream.Url,
        });
        _admin = _service.CreateClient(TestTokens.Admin());
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _service.DisposeAsync();
        await _upstream.DisposeAsync();
        if (Directory.Exists(_index)) Directory.Delete(_index, recursive: true);
    }

    private async Task<ReindexStatus> ReindexAsync()
    {
        using var started = await _admin.PostAsync(new Uri("/api/search/reindex", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        for (var i = 0; i < 600; i++)
        {
            var status = (await _admin.GetFromJsonAsync<ReindexStatus>("/api/search/reindex", Ct))!;
            if (status.State != "running") return status;
            await Task.Delay(100, Ct);
        }

        Assert.Fail("The reindex was still running after 60 s.");
        return null!;
    }

    private async Task<SearchResult> SearchAsync(string query) => (await _admin.GetFromJsonAsync<SearchResult>($"/api/search?{query}", Ct))!;

    [Fact]
    public async Task A_reindex_over_many_pages_indexes_every_product_exactly_once_with_its_stock()
    {
        var products = _upstream.AddProducts(Products);
        // Every seventh product has units on one variant only: in stock; every other one has stock rows with none left.
        foreach (var (product, i) in products.Select((p, i) => (p, i)))
        {
            _upstream.Stock[product.Variants[1].Sku] = i % 7 == 0 ? 3 : 0;
        }

        var status = await ReindexAsync();

        Assert.Equal(("done", (long)Products, (string?)null), (status.State, status.Indexed, status.Error));
        var versions = await _service.Services.GetRequiredService<ISearchEngine>().VersionsAsync(Ct);
        Assert.Equal(products.Select(p => p.Id).Order(), versions.Keys.Order());
        // Live documents counted by the index itself: a page added twice would show here (ids are not deduplicated by a count).
        Assert.Equal(Products, (await SearchAsync("pageSize=1")).Total);
        Assert.Equal(products.Count(p => _upstream.Stock[p.Variants[1].Sku] > 0), (await SearchAsync("inStock=true&pageSize=1")).Total);
        // Each sku was looked up once, in lookups of at most 100 (the inventory's limit).
        Assert.Equal(products.Sum(p => 1 + p.Variants.Count), _upstream.LookedUpSkus.Count);
        Assert.All(_upstream.LookedUpSkus.Values, n => Assert.Equal(1, n));
    }

    [Theory]
    [InlineData("inventory")]
    [InlineData("catalog")]
    public async Task A_failure_deep_in_the_run_fails_the_reindex_and_the_old_index_keeps_answering(string failing)
    {
        var first = _upstream.AddProducts(150);
        Assert.Equal("done", (await ReindexAsync()).State);
        var more = _upstream.AddProducts(Products - 150);
        // Page 16 of 23: the read-ahead has started pages after it, and the index has added pages before it.
        _upstream.FailAt = more[15 * 100 - 150];
        _upstream.Failing = failing;
        var generations = Directory.GetDirectories(_index);

        var status = await ReindexAsync();

        Assert.Equal("failed", status.State);
        Assert.NotNull(status.FinishedAt);
        Assert.Contains("500", status.Error, StringComparison.Ordinal);
        Assert.True(status.Indexed < Products, $"indexed {status.Indexed} of {Products}");
        // The old index still serves, with exactly what it had; the half-built one is gone from disk (the one it replaced may be too).
        Assert.Equal(first.Select(p => p.Id).Order(), (await _service.Services.GetRequiredService<ISearchEngine>().VersionsAsync(Ct)).Keys.Order());
        Assert.Equal(150, (await SearchAsync("pageSize=1")).Total);
        Assert.Subset(generations.ToHashSet(), Directory.GetDirectories(_index).ToHashSet());

        // Nothing is left holding the rebuilder: the next reindex runs, and succeeds once the upstream does.
        _upstream.FailAt = null;
        var again = await ReindexAsync();
        Assert.Equal(("done", (long)Products), (again.State, again.Indexed));
        Assert.Equal(Products, (await SearchAsync("pageSize=1")).Total);
    }

    /// <summary>
    /// The catalog's browse call (keyset pages in a fixed order, an opaque cursor) and ordering's stock lookup, on one
    /// real HTTP server. <see cref="FailAt"/> makes the call that would return that product answer 500.
    /// </summary>
    private sealed class Upstream : IAsyncDisposable
    {
        private readonly List<ProductSnapshot> _products = [];
        private WebApplication _app = null!;

        public ConcurrentDictionary<string, int> Stock { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, int> LookedUpSkus { get; } = new(StringComparer.Ordinal);
        public ProductSnapshot? FailAt { get; set; }
        public string Failing { get; set; } = "inventory";

        public string Url => _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

        public List<ProductSnapshot> AddProducts(int count)
        {
            lock (_products)
            {
                var added = Enumerable.Range(_products.Count, count).Select(n =>
                {
                    var sku = $"RIX-{n:D7}";
                    return new ProductSnapshot(Guid.CreateVersion7(), sku, $"Pipeline Mug {n}", "A mug.", "Acme", "mugs", 10m + n % 50, "EUR",
                        new Dictionary<string, JsonElement>(), [new VariantSnapshot($"{sku}-S", new Dictionary<string, JsonElement>(), null),
                            new VariantSnapshot($"{sku}-L", new Dictionary<string, JsonElement>(), null)],
                        [], "active", 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
                }).ToList();
                _products.AddRange(added);
                return added;
            }
        }

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _app = builder.Build();
            _app.MapGet("/api/catalog/products", (int limit, string? cursor) =>
            {
                List<ProductSnapshot> page;
                int start, total;
                lock (_products)
                {
                    start = cursor is null ? 0 : int.Parse(cursor, CultureInfo.InvariantCulture);
                    page = _products.Skip(start).Take(limit).ToList();
                    total = _products.Count;
                }

                if (Failing == "catalog" && FailAt is { } failAt && page.Contains(failAt)) return Results.StatusCode(500);
                var next = start + page.Count < total ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
                return Results.Json(new { items = page, nextCursor = next });
            });
            _app.MapGet("/api/inventory", (string skus) =>
            {
                var asked = skus.Split(',');
                if (asked.Length > 100) return Results.StatusCode(400);
                if (Failing == "inventory" && FailAt is { } failAt && asked.Contains(failAt.Sku)) return Results.StatusCode(500);
                foreach (var sku in asked) LookedUpSkus.AddOrUpdate(sku, 1, (_, n) => n + 1);
                return Results.Json(asked.Where(Stock.ContainsKey).Select(s => new { sku = s, available = Stock[s] }).ToList());
            });
            await _app.StartAsync();
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
