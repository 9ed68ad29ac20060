using Catalog.Api.Stores.Mongo;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Catalog.Tests;

/// <summary>The MongoDB store's queries rendered to BSON without a server: what would be sent, checked here.</summary>
public sealed class MongoQueryRenderingTests
{
    private static readonly RenderArgs<ProductDocument> Args = new(BsonSerializer.LookupSerializer<ProductDocument>(), BsonSerializer.SerializerRegistry);

    private static BsonDocument Render(FilterDefinition<ProductDocument> filter) => filter.Render(Args);

    private static BrowseQuery Query(string sort = "name", BrowseCursor? after = null, Dictionary<string, string>? attributes = null,
        string? category = null, string? brand = null, decimal? min = null, decimal? max = null) =>
        new(category, brand, min, max, attributes ?? [], sort, 20, after);

    [Fact]
    public void Browse_renders_status_category_brand_exact_decimal_price_range_and_attribute_matches()
    {
        var rendered = Render(MongoCatalogQueries.Browse(Query(category: "shoes", brand: "Velo", min: 10m, max: 99.5m,
            attributes: new() { ["color"] = "red", ["size"] = "42", ["wireless"] = "true" })));

        Assert.Equal(BsonDocument.Parse("""
            { "status": "active", "categoryKey": "shoes", "brandKey": "velo",
              "price": { "$gte": NumberDecimal("10"), "$lte": NumberDecimal("99.5") },
              "attributes.color": { "$in": ["red"] },
              "attributes.size": { "$in": ["42", NumberDecimal("42"), 42.0] },
              "attributes.wireless": { "$in": ["true", true] } }
            """), rendered);
    }

    [Theory]
    [InlineData("SHOES", "VELO")]
    [InlineData(" Shoes ", "velo")]
    [InlineData("shoes", "Velo")]
    public void Category_and_brand_filters_compare_the_lower_case_keys(string category, string brand)
    {
        var rendered = Render(MongoCatalogQueries.Browse(Query(category: category, brand: brand)));
        Assert.Equal(BsonDocument.Parse("""{ "status": "active", "categoryKey": "shoes", "brandKey": "velo" }"""), rendered);
    }

    [Fact]
    public void A_document_carries_the_keys_and_older_documents_get_them_at_start_up()
    {
        var product = new ProductResponse(Guid.CreateVersion7(), "SKU-1", "Mug", "", "Acme Ltd", "Kitchen Mugs", 19.99m, "EUR", new Dictionary<string, System.Text.Json.JsonElement>(), [], [],
            ProductStatus.Active, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var document = ProductDocument.From(product).ToBsonDocument();
        Assert.Equal(("kitchen mugs", "acme ltd"), (document["categoryKey"].AsString, document["brandKey"].AsString));
        Assert.Equal(("Kitchen Mugs", "Acme Ltd"), (document["category"].AsString, document["brand"].AsString));

        var (filter, update) = MongoCatalogQueries.MissingKeys();
        Assert.Equal(BsonDocument.Parse("""{ "$or": [{ "categoryKey": { "$exists": false } }, { "brandKey": { "$exists": false } }] }"""), Render(filter));
        Assert.Equal(BsonDocument.Parse("""
            { "$set": { "categoryKey": { "$toLower": { "$trim": { "input": "$category" } } },
                        "brandKey": { "$toLower": { "$trim": { "input": "$brand" } } } } }
            """), update.Render(new RenderArgs<ProductDocument>(Args.DocumentSerializer, Args.SerializerRegistry)).Documents.Single());
    }

    [Fact]
    public void Without_filters_browse_asks_for_active_products_only()
    {
        Assert.Equal(BsonDocument.Parse("""{ "status": "active" }"""), Render(MongoCatalogQueries.Browse(Query())));
    }

    [Theory]
    [InlineData("name", "name", "$gt", "Mug")]
    [InlineData("price", "price", "$gt", "12.5")]
    [InlineData("-price", "price", "$lt", "12.5")]
    public void A_cursor_continues_strictly_after_the_last_row_along_sort_key_then_id(string sort, string field, string op, string value)
    {
        var id = Guid.Parse("0193a000-0000-7000-8000-000000000001");
        BsonValue key = sort == "name" ? new BsonString(value) : new BsonDecimal128(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var rendered = Render(MongoCatalogQueries.Browse(Query(sort, new BrowseCursor(sort, value, id))));

        Assert.Equal("active", rendered["status"].AsString);
        Assert.Equal(new BsonArray
        {
            new BsonDocument(field, new BsonDocument(op, key)),
            new BsonDocument { { field, key }, { "_id", new BsonDocument(op, new BsonBinaryData(id, GuidRepresentation.Standard)) } },
        }, rendered["$or"]);
    }

    [Fact]
    public void The_newest_cursor_compares_creation_times_as_dates()
    {
        var at = new DateTimeOffset(2026, 11, 22, 10, 30, 0, TimeSpan.Zero);
        var cursor = new BrowseCursor("newest", at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), Guid.NewGuid());

        var or = Render(MongoCatalogQueries.Browse(Query("newest", cursor)))["$or"].AsBsonArray;

        Assert.Equal(new BsonDateTime(at.UtcDateTime), or[0]["createdAt"]["$lt"]);
        Assert.Equal(new BsonDateTime(at.UtcDateTime), or[1]["createdAt"]);
        Assert.True(or[1]["_id"]["$lt"].IsGuid);
    }

    [Theory]
    [InlineData("name", """{ "name": 1, "_id": 1 }""")]
    [InlineData("price", """{ "price": 1, "_id": 1 }""")]
    [InlineData("-price", """{ "price": -1, "_id": -1 }""")]
    [InlineData("newest", """{ "createdAt": -1, "_id": -1 }""")]
    public void Each_sort_is_total_with_the_id_as_tie_breaker(string sort, string expected)
    {
        Assert.Equal(BsonDocument.Parse(expected), MongoCatalogQueries.BrowseSort(sort).Render(Args));
    }

    [Fact]
    public void Writes_are_guarded_by_id_and_version_and_sku_checks_exclude_the_product_itself()
    {
        var id = Guid.Parse("0193a000-0000-7000-8000-0000000000aa");

        Assert.Equal(BsonDocument.Parse("""{ "_id": UUID("0193a000-0000-7000-8000-0000000000aa"), "version": NumberLong(3) }"""),
            Render(MongoCatalogQueries.AtVersion(id, 3)));
        Assert.Equal(BsonDocument.Parse("""{ "_id": { "$ne": UUID("0193a000-0000-7000-8000-0000000000aa") }, "skus": { "$in": ["A", "B"] } }"""),
            Render(MongoCatalogQueries.SkuOwnedByOther(id, ["A", "B"])));
        Assert.Equal(BsonDocument.Parse("""{ "$or": [{ "_id": { "$in": [UUID("0193a000-0000-7000-8000-0000000000aa")] } }, { "skus": { "$in": ["A"] } }] }"""),
            Render(MongoCatalogQueries.ByIdsOrSkus([id], ["A"])));
    }

    [Fact]
    public void Facet_counts_group_active_products_by_field_and_sort_by_value()
    {
        var stages = MongoCatalogQueries.CountBy(ProductFacet.Brand).Render(Args).Documents;

        Assert.Equal(
        [
            BsonDocument.Parse("""{ "$match": { "status": "active" } }"""),
            BsonDocument.Parse("""{ "$group": { "_id": "$brand", "count": { "$sum": 1 } } }"""),
            BsonDocument.Parse("""{ "$sort": { "_id": 1 } }"""),
        ], stages);
    }

    [Fact]
    public void Skus_are_unique_across_products_and_every_sort_has_its_index()
    {
        var indexes = MongoCatalogQueries.Indexes()
            .ToDictionary(i => i.Options.Name, i => (Keys: i.Keys.Render(new RenderArgs<ProductDocument>(Args.DocumentSerializer, Args.SerializerRegistry)), i.Options.Unique));

        Assert.Equal((BsonDocument.Parse("""{ "skus": 1 }"""), (bool?)true), indexes["ux_skus"]);
        Assert.Equal(BsonDocument.Parse("""{ "attributes.$**": 1 }"""), indexes["ix_attributes"].Keys);
        foreach (var sort in Browse.Sorts)
        {
            var sortKeys = MongoCatalogQueries.BrowseSort(sort).Render(Args).Names.ToList();
            Assert.Contains(indexes.Values, i => i.Keys.Names.SkipWhile(n => n is "status" or "categoryKey").Take(sortKeys.Count).SequenceEqual(sortKeys));
        }
    }

    [Fact]
    public void A_product_document_stores_exact_prices_standard_uuids_dates_and_native_attribute_types()
    {
        var product = new ProductResponse(Guid.CreateVersion7(), "SKU-1", "Mug", "", "Acme", "mugs", 19.99m, "EUR",
            new Dictionary<string, System.Text.Json.JsonElement>
            {
                ["ramGb"] = System.Text.Json.JsonSerializer.SerializeToElement(16),
                ["inches"] = System.Text.Json.JsonSerializer.SerializeToElement(13.3),
                ["tags"] = System.Text.Json.JsonSerializer.SerializeToElement(new[] { "a" }),
            },
            [new VariantResponse("SKU-1-L", new Dictionary<string, System.Text.Json.JsonElement>(), 21m)], [], "active", 4,
            new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));

        var bson = ProductDocument.From(product).ToBsonDocument();
        var back = BsonSerializer.Deserialize<ProductDocument>(bson).ToResponse();

        Assert.Equal(BsonType.Decimal128, bson["price"].BsonType);
        Assert.Equal(MongoDB.Bson.BsonBinarySubType.UuidStandard, bson["_id"].AsBsonBinaryData.SubType);
        Assert.Equal(BsonType.DateTime, bson["createdAt"].BsonType);
        Assert.Equal(BsonType.Int32, bson["attributes"]["ramGb"].BsonType);
        Assert.Equal(BsonType.Double, bson["attributes"]["inches"].BsonType);
        Assert.Equal(new BsonArray { "SKU-1", "SKU-1-L" }, bson["skus"]);
        Assert.Equal((product.Id, 19.99m, 16, 13.3m, 21m, product.CreatedAt), (back.Id, back.Price, back.Attributes["ramGb"].GetInt32(),
            back.Attributes["inches"].GetDecimal(), back.Variants[0].Price, back.CreatedAt));
    }
}
