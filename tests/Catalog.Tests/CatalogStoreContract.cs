using System.Text.Json;
using Catalog.Api.Infrastructure;
using Catalog.Api.Stores;
using Catalog.Api.Stores.Mongo;
using Ecommerce.Contracts.Events;
using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;

namespace Catalog.Tests;

/// <summary>
/// What every catalog store must do, run against each adapter on a real server. Each test works in its own
/// category (and skus), so tests of one class share a database without seeing each other's products.
/// </summary>
public abstract class CatalogStoreContract
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<ICatalogStore> StoreAsync();

    /// <summary>Event types written to the store's outbox and not yet relayed, oldest first.</summary>
    protected abstract Task<IReadOnlyList<string>> UnsentEventsAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static ProductResponse Product(string category, string? sku = null, decimal price = 10m, string? name = null, string brand = "Acme",
        string status = ProductStatus.Active, object? attributes = null, string[]? variantSkus = null, int minutes = 0)
    {
        sku ??= Unique("SKU");
        var attrs = JsonSerializer.SerializeToElement(attributes ?? new { }).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var variants = (variantSkus ?? []).Select(v => new VariantResponse(v, new Dictionary<string, JsonElement> { ["size"] = JsonSerializer.SerializeToElement(42) }, 12.5m)).ToList();
        var at = Start.AddMinutes(minutes);
        return new ProductResponse(Guid.CreateVersion7(at), sku, name ?? $"Product {sku}", "A product.", brand, category, price, "EUR", attrs, variants,
            ["https://img.test/a.jpg"], status, 1, at, at);
    }

    private static ProductUpserted Upserted(ProductResponse p) => new(p.ToSnapshot());

    private static BrowseQuery Query(string category, string sort = "name", int limit = 20, BrowseCursor? after = null,
        decimal? min = null, decimal? max = null, string? brand = null, Dictionary<string, string>? attributes = null) =>
        new(category, brand, min, max, attributes ?? [], sort, limit, after);

    private static async Task<List<ProductResponse>> BrowseAllAsync(ICatalogStore store, string category, string sort, int limit)
    {
        var all = new List<ProductResponse>();
        BrowseCursor? after = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await store.BrowseAsync(Query(category, sort, limit, after), Ct);
            all.AddRange(page.Items);
            if (page.NextCursor is null)
            {
                return all;
            }

            after = Browse.Decode(page.NextCursor, sort);
        }

        throw new InvalidOperationException("Paging did not end.");
    }

    /// <summary>Both stores order ids as bytes (PostgreSQL uuid, MongoDB UUID binary), which is not <see cref="Guid.CompareTo(Guid)"/>.</summary>
    private static string IdBytes(Guid id) => Convert.ToHexString(id.ToByteArray(bigEndian: true));

    [Fact]
    public async Task Category_and_brand_filters_ignore_case_and_keep_the_stored_spelling()
    {
        var store = await StoreAsync();
        var category = "Trail-" + Unique("Shoes").ToUpperInvariant();
        var product = Product(category, brand: "NorthPeak");
        await store.InsertAsync(product, Upserted(product), Ct);

        var upper = await store.BrowseAsync(Query(category.ToUpperInvariant()), Ct);
        var lower = await store.BrowseAsync(Query(category.ToLowerInvariant(), brand: "northpeak"), Ct);
        var otherBrand = await store.BrowseAsync(Query(category.ToLowerInvariant(), brand: "northpea"), Ct);

        Assert.Equal(product.Id, Assert.Single(upper.Items).Id);
        Assert.Equal(product.Id, Assert.Single(lower.Items).Id);
        Assert.Empty(otherBrand.Items);
        Assert.Equal((category, "NorthPeak"), (upper.Items[0].Category, upper.Items[0].Brand));
    }

    [Fact]
    public async Task The_match_count_follows_the_filters_ignores_the_cursor_and_stops_at_the_limit()
    {
        var store = await StoreAsync();
        var category = Unique("cnt");
        for (var i = 0; i < 5; i++)
        {
            var p = Product(category, price: 10m + i);
            await store.InsertAsync(p, Upserted(p), Ct);
        }

        var draft = Product(category, status: ProductStatus.Draft);
        await store.InsertAsync(draft, Upserted(draft), Ct);
        var first = await store.BrowseAsync(Query(category, "price", limit: 2), Ct);
        var second = Query(category, "price", limit: 2, after: Browse.Decode(first.NextCursor!, "price"));

        Assert.Equal(5, await store.CountMatchesAsync(Query(category), 100, Ct));
        Assert.Equal(5, await store.CountMatchesAsync(second, 100, Ct));
        Assert.Equal(2, await store.CountMatchesAsync(Query(category, min: 13m), 100, Ct));
        Assert.Equal(3, await store.CountMatchesAsync(Query(category), 3, Ct));
    }

    [Fact]
    public async Task A_product_round_trips_with_every_kind_of_attribute_and_its_variants()
    {
        var store = await StoreAsync();
        var product = Product(Unique("cat"), price: 1234.56m, attributes: new { color = "red", ramGb = 16, screenInches = 13.3, touch = true, tags = new[] { "a", "b" } },
            variantSkus: [Unique("V1"), Unique("V2")]);

        Assert.Equal(SaveResult.Saved, await store.InsertAsync(product, Upserted(product), Ct));
        var found = await store.FindAsync(product.Id, Ct);

        Assert.NotNull(found);
        Assert.Equal((product.Sku, product.Name, product.Description, product.Brand, product.Category, product.Price, product.Currency, product.Status, product.Version),
            (found.Sku, found.Name, found.Description, found.Brand, found.Category, found.Price, found.Currency, found.Status, found.Version));
        Assert.Equal("red", found.Attributes["color"].GetString());
        Assert.Equal(16, found.Attributes["ramGb"].GetInt32());
        Assert.Equal(13.3m, found.Attributes["screenInches"].GetDecimal());
        Assert.True(found.Attributes["touch"].GetBoolean());
        Assert.Equal(["a", "b"], found.Attributes["tags"].EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(product.Variants.Select(v => (v.Sku, v.Price)), found.Variants.Select(v => (v.Sku, v.Price)));
        Assert.Equal(42, found.Variants[0].Attributes["size"].GetInt32());
        Assert.Equal(product.Images, found.Images);
        Assert.Equal(product.CreatedAt, found.CreatedAt);
        Assert.Null(await store.FindAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task A_sku_used_by_another_product_or_its_variants_is_refused_and_nothing_is_stored()
    {
        var store = await StoreAsync();
        var category = Unique("cat");
        var first = Product(category, variantSkus: [Unique("V")]);
        await store.InsertAsync(first, Upserted(first), Ct);
        var before = await UnsentEventsAsync();

        var sameSku = Product(category, sku: first.Sku);
        var variantClash = Product(category, variantSkus: [first.Variants[0].Sku]);
        var usesProductSkuAsVariant = Product(category, variantSkus: [first.Sku]);

        Assert.Equal(SaveResult.SkuTaken, await store.InsertAsync(sameSku, Upserted(sameSku), Ct));
        Assert.Equal(SaveResult.SkuTaken, await store.InsertAsync(variantClash, Upserted(variantClash), Ct));
        Assert.Equal(SaveResult.SkuTaken, await store.InsertAsync(usesProductSkuAsVariant, Upserted(usesProductSkuAsVariant), Ct));
        Assert.Null(await store.FindAsync(sameSku.Id, Ct));
        Assert.Null(await store.FindAsync(variantClash.Id, Ct));
        Assert.Equal(before, await UnsentEventsAsync());
        Assert.Equal(first.Sku, await store.SkuOwnerAsync(Guid.NewGuid(), [first.Variants[0].Sku, "NOT-USED"], Ct));
        Assert.Null(await store.SkuOwnerAsync(first.Id, [first.Sku, first.Variants[0].Sku], Ct));
    }

    [Fact]
    public async Task Replace_and_delete_need_the_current_version_and_a_stale_one_changes_nothing()
    {
        var store = await StoreAsync();
        var product = Product(Unique("cat"));
        await store.InsertAsync(product, Upserted(product), Ct);
        var v2 = product with { Name = "Renamed", Price = 20m, Version = 2 };
        var stale = product with { Name = "Stale write", Version = 2 };

        Assert.Equal(SaveResult.Saved, await store.ReplaceAsync(v2, 1, Upserted(v2), Ct));
        Assert.Equal(SaveResult.Stale, await store.ReplaceAsync(stale, 1, Upserted(stale), Ct));
        Assert.Equal(SaveResult.Stale, await store.DeleteAsync(product.Id, 1, new ProductDeleted(product.Id, product.Sku, 2, []), Ct));
        var missing = Product(Unique("cat"));
        Assert.Equal(SaveResult.NotFound, await store.ReplaceAsync(missing with { Version = 2 }, 1, Upserted(missing), Ct));
        Assert.Equal(SaveResult.NotFound, await store.DeleteAsync(missing.Id, 1, new ProductDeleted(missing.Id, missing.Sku, 2, []), Ct));

        var stored = await store.FindAsync(product.Id, Ct);
        Assert.Equal(("Renamed", 20m, 2L), (stored!.Name, stored.Price, stored.Version));

        Assert.Equal(SaveResult.Saved, await store.DeleteAsync(product.Id, 2, new ProductDeleted(product.Id, product.Sku, 3, []), Ct));
        Assert.Null(await store.FindAsync(product.Id, Ct));
    }

    [Fact]
    public async Task Of_two_concurrent_replaces_at_one_version_exactly_one_wins()
    {
        var store1 = await StoreAsync();
        var store2 = await StoreAsync();
        var product = Product(Unique("cat"));
        await store1.InsertAsync(product, Upserted(product), Ct);
        var a = product with { Name = "A", Version = 2 };
        var b = product with { Name = "B", Version = 2 };

        var results = await Task.WhenAll(store1.ReplaceAsync(a, 1, Upserted(a), Ct), store2.ReplaceAsync(b, 1, Upserted(b), Ct));

        Assert.Equal([SaveResult.Saved, SaveResult.Stale], results.Order());
        var winner = results[0] == SaveResult.Saved ? "A" : "B";
        Assert.Equal(winner, (await store1.FindAsync(product.Id, Ct))!.Name);
    }

    [Fact]
    public async Task Every_saved_write_leaves_exactly_its_event_in_the_outbox()
    {
        var store = await StoreAsync();
        var before = (await UnsentEventsAsync()).Count;
        var product = Product(Unique("cat"));

        await store.InsertAsync(product, Upserted(product), Ct);
        await store.ReplaceAsync(product with { Version = 2 }, 1, Upserted(product with { Version = 2 }), Ct);
        await store.ReplaceAsync(product with { Version = 3 }, 1, Upserted(product), Ct); // stale: no event
        await store.DeleteAsync(product.Id, 2, new ProductDeleted(product.Id, product.Sku, 3, []), Ct);

        var events = await UnsentEventsAsync();
        Assert.Equal(["ProductUpserted", "ProductUpserted", "ProductDeleted"], events.Skip(before));
    }

    [Fact]
    public async Task Batch_lookup_finds_by_id_by_product_sku_and_by_variant_sku()
    {
        var store = await StoreAsync();
        var category = Unique("cat");
        var byId = Product(category);
        var bySku = Product(category);
        var byVariant = Product(category, variantSkus: [Unique("V")]);
        var other = Product(category);
        foreach (var p in new[] { byId, bySku, byVariant, other })
        {
            await store.InsertAsync(p, Upserted(p), Ct);
        }

        var found = await store.FindManyAsync([byId.Id, Guid.NewGuid()], [bySku.Sku, byVariant.Variants[0].Sku, "NOPE"], Ct);

        Assert.Equal(new[] { byId.Id, bySku.Id, byVariant.Id }.Order(), found.Select(p => p.Id).Order());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("newest")]
    public async Task Keyset_pages_return_every_active_product_once_in_sort_order_with_ties_broken_by_id(string sort)
    {
        var store = await StoreAsync();
        var category = Unique("cat");
        var prices = new[] { 5m, 5m, 5m, 7.5m, 7.5m, 1m, 99.99m, 5m, 12m, 7.5m, 3m };
        var products = prices.Select((price, i) => Product(category, price: price, name: $"Item {(char)('A' + i % 4)}", minutes: i % 3)).ToList();
        products.Add(Product(category, status: ProductStatus.Draft));
        products.Add(Product(category, status: ProductStatus.Archived));
        await store.InsertManyAsync(products, Ct);

        var paged = await BrowseAllAsync(store, category, sort, limit: 3);

        var active = products.Where(p => p.Status == ProductStatus.Active);
        var expected = sort switch
        {
            "price" => active.OrderBy(p => p.Price).ThenBy(p => IdBytes(p.Id), StringComparer.Ordinal),
            "-price" => active.OrderByDescending(p => p.Price).ThenByDescending(p => IdBytes(p.Id), StringComparer.Ordinal),
            "newest" => active.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => IdBytes(p.Id), StringComparer.Ordinal),
            _ => active.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => IdBytes(p.Id), StringComparer.Ordinal),
        };
        Assert.Equal(expected.Select(p => p.Id), paged.Select(p => p.Id));
    }

    [Fact]
    public async Task Browse_filters_by_brand_price_range_and_attributes_of_every_kind()
    {
        var store = await StoreAsync();
        var category = Unique("cat");
        var red = Product(category, price: 10m, brand: "Acme", attributes: new { color = "red", size = 42, wireless = true, tags = new[] { "sale", "new" }, inches = 13.3 });
        var blue = Product(category, price: 30m, brand: "Acme", attributes: new { color = "blue", size = "42", wireless = false, tags = new[] { "new" } });
        var other = Product(category, price: 20m, brand: "Zeta", attributes: new { color = "red", size = 44 });
        await store.InsertManyAsync([red, blue, other], Ct);

        async Task<IEnumerable<string>> Skus(BrowseQuery q) => (await store.BrowseAsync(q, Ct)).Items.Select(p => p.Sku).Order();

        Assert.Equal(new[] { red.Sku, blue.Sku }.Order(), await Skus(Query(category, brand: "Acme")));
        Assert.Equal(new[] { red.Sku, other.Sku }.Order(), await Skus(Query(category, min: 10m, max: 20m)));
        Assert.Equal(new[] { red.Sku, other.Sku }.Order(), await Skus(Query(category, attributes: new() { ["color"] = "red" })));
        Assert.Equal(new[] { red.Sku, blue.Sku }.Order(), await Skus(Query(category, attributes: new() { ["size"] = "42" })));
        Assert.Equal([red.Sku], await Skus(Query(category, attributes: new() { ["wireless"] = "true" })));
        Assert.Equal(new[] { red.Sku, blue.Sku }.Order(), await Skus(Query(category, attributes: new() { ["tags"] = "new" })));
        Assert.Equal([red.Sku], await Skus(Query(category, attributes: new() { ["inches"] = "13.3" })));
        Assert.Equal([other.Sku], await Skus(Query(category, brand: "Zeta", attributes: new() { ["color"] = "red", ["size"] = "44" })));
        Assert.Empty(await Skus(Query(category, attributes: new() { ["color"] = "green" })));
    }

    [Fact]
    public async Task Facet_counts_cover_active_products_only()
    {
        var store = await StoreAsync();
        var category = Unique("cat");
        var brand = Unique("brand");
        await store.InsertManyAsync(
        [
            Product(category, brand: brand), Product(category, brand: brand), Product(category, brand: brand, status: ProductStatus.Draft),
            Product(category, brand: "Other"),
        ], Ct);

        var categories = await store.CountByAsync(ProductFacet.Category, Ct);
        var brands = await store.CountByAsync(ProductFacet.Brand, Ct);

        Assert.Equal(3, Assert.Single(categories, f => f.Value == category).Count);
        Assert.Equal(2, Assert.Single(brands, f => f.Value == brand).Count);
        Assert.Equal(categories.Select(c => c.Value).Order(StringComparer.Ordinal), categories.Select(c => c.Value));
    }

    [Fact]
    public async Task Bulk_insert_stores_every_product_and_counts_them()
    {
        var store = await StoreAsync();
        var before = await store.CountAsync(Ct);
        var products = Catalog.Api.Seed.ProductGenerator.Generate(500, seed: 7, Start, startIndex: 900_000 + Random.Shared.Next(0, 90_000) * 10).ToList();

        await store.InsertManyAsync(products, Ct);

        Assert.Equal(before + 500, await store.CountAsync(Ct));
        var sample = await store.FindAsync(products[123].Id, Ct);
        Assert.Equal(products[123].Sku, sample!.Sku);
        Assert.Equal(products[123].Variants.Count, sample.Variants.Count);
    }
}

public sealed class PostgresCatalogStoreTests(TestInfrastructure infrastructure) : CatalogStoreContract, IAsyncLifetime
{
    private string _database = "";
    private readonly List<CatalogDb> _contexts = [];

    public async ValueTask InitializeAsync()
    {
        _database = await infrastructure.CreateDatabaseAsync("catstore");
        await using var db = NewDb();
        await db.Database.MigrateAsync(Ct);
    }

    private CatalogDb NewDb() => new(new DbContextOptionsBuilder<CatalogDb>().UseNpgsql(_database).Options);

    protected override Task<ICatalogStore> StoreAsync()
    {
        var db = NewDb();
        _contexts.Add(db);
        return Task.FromResult<ICatalogStore>(new PostgresCatalogStore(db, TimeProvider.System));
    }

    protected override async Task<IReadOnlyList<string>> UnsentEventsAsync()
    {
        await using var db = NewDb();
        return await db.Set<Ecommerce.Messaging.OutboxMessage>().Where(m => m.SentAt == null).OrderBy(m => m.Position).Select(m => m.Type).ToListAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var db in _contexts)
        {
            await db.DisposeAsync();
        }
    }
}

/// <summary>
/// The same contract on MongoDB: runs when <c>ConnectionStrings__mongodb</c> points at a replica set (the outbox
/// needs transactions) or a Docker engine answers for Testcontainers; otherwise every test reports skipped with the reason.
/// </summary>
public sealed class MongoCatalogStoreTests(MongoServer server) : CatalogStoreContract, IClassFixture<MongoServer>, IAsyncLifetime
{
    private IMongoDatabase? _database;

    public async ValueTask InitializeAsync()
    {
        if (server.Client is null)
        {
            return;
        }

        _database = server.Client.GetDatabase($"catalog_{Guid.NewGuid():N}");
        await new MongoCatalogStore(_database, TimeProvider.System).EnsureIndexesAsync(Ct);
    }

    protected override Task<ICatalogStore> StoreAsync()
    {
        Assert.SkipWhen(_database is null, server.SkipReason);
        return Task.FromResult<ICatalogStore>(new MongoCatalogStore(_database!, TimeProvider.System));
    }

    protected override async Task<IReadOnlyList<string>> UnsentEventsAsync() =>
        await _database!.GetCollection<OutboxDocument>(MongoCatalogStore.OutboxCollection).Find(OutboxDocument.Unsent).SortBy(d => d.Id)
            .Project(d => d.Type).ToListAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await server.Client!.DropDatabaseAsync(_database.DatabaseNamespace.DatabaseName);
        }
    }
}
