using System.Globalization;
using Catalog.Api.Products;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Catalog.Api.Stores.Mongo;

/// <summary>
/// Every filter, sort and pipeline the MongoDB store sends, built without a connection so unit tests can
/// render them to BSON and check them against what the PostgreSQL store does.
/// </summary>
public static class MongoCatalogQueries
{
    private static readonly FilterDefinitionBuilder<ProductDocument> Filter = Builders<ProductDocument>.Filter;
    private static readonly SortDefinitionBuilder<ProductDocument> Sort = Builders<ProductDocument>.Sort;

    public static FilterDefinition<ProductDocument> ById(Guid id) => Filter.Eq(p => p.Id, id);

    public static FilterDefinition<ProductDocument> AtVersion(Guid id, long version) => Filter.And(ById(id), Filter.Eq(p => p.Version, version));

    public static FilterDefinition<ProductDocument> ByIdsOrSkus(IReadOnlyCollection<Guid> ids, IReadOnlyCollection<string> skus) =>
        Filter.Or(Filter.In(p => p.Id, ids), Filter.AnyIn(p => p.Skus, skus));

    public static FilterDefinition<ProductDocument> SkuOwnedByOther(Guid exceptId, IReadOnlyCollection<string> skus) =>
        Filter.And(Filter.Ne(p => p.Id, exceptId), Filter.AnyIn(p => p.Skus, skus));

    public static FilterDefinition<ProductDocument> Active => Filter.Eq(p => p.Status, ProductStatus.Active);

    /// <summary>The browse filter: active, the shopper's filters, then strictly after the cursor along (sort key, id).</summary>
    public static FilterDefinition<ProductDocument> Browse(BrowseQuery q)
    {
        var filters = MatchingFilters(q);
        if (q.After is { } after)
        {
            filters.Add(After(q.Sort, after));
        }

        return Filter.And(filters);
    }

    /// <summary>What the match count counts: the browse filter without the cursor.</summary>
    public static FilterDefinition<ProductDocument> Matching(BrowseQuery q) => Filter.And(MatchingFilters(q));

    private static List<FilterDefinition<ProductDocument>> MatchingFilters(BrowseQuery q)
    {
        var filters = new List<FilterDefinition<ProductDocument>> { Active };
        // Keys written with the document (FacetKeys); the filter value is lowered the same way.
        if (FacetKeys.Of(q.Category) is { } category) filters.Add(Filter.Eq(p => p.CategoryKey, category));
        if (FacetKeys.Of(q.Brand) is { } brand) filters.Add(Filter.Eq(p => p.BrandKey, brand));
        if (q.MinPrice is { } min) filters.Add(Filter.Gte(p => p.Price, min));
        if (q.MaxPrice is { } max) filters.Add(Filter.Lte(p => p.Price, max));
        foreach (var (name, value) in q.Attributes)
        {
            // Names were checked against the attribute naming rule (no '.', no '$'): the path stays inside attributes.
            // An array attribute matches when it contains the value, as JSONB containment does.
            filters.Add(Filter.In<BsonValue>($"attributes.{name}", AttributeMatches(value)));
        }

        return filters;
    }

    /// <summary>The text, and the number or boolean it spells: attr.size=42 also matches 42, attr.touchscreen=true the boolean.</summary>
    public static IReadOnlyList<BsonValue> AttributeMatches(string value)
    {
        var matches = new List<BsonValue> { new BsonString(value) };
        if (Products.Browse.AsNumber(value) is { } number)
        {
            // A decimal is not equal to the nearest double (13.3), and attributes parsed from JSON are doubles or integers.
            matches.Add(new BsonDecimal128(number));
            matches.Add(new BsonDouble((double)number));
        }
        else if (bool.TryParse(value, out var flag))
        {
            matches.Add(BsonBoolean.Create(flag));
        }

        return matches;
    }

    public static SortDefinition<ProductDocument> BrowseSort(string sort) => sort switch
    {
        "price" => Sort.Ascending(p => p.Price).Ascending(p => p.Id),
        "-price" => Sort.Descending(p => p.Price).Descending(p => p.Id),
        "newest" => Sort.Descending(p => p.CreatedAt).Descending(p => p.Id),
        _ => Sort.Ascending(p => p.Name).Ascending(p => p.Id),
    };

    private static FilterDefinition<ProductDocument> After(string sort, BrowseCursor c)
    {
        var id = c.Id;
        switch (sort)
        {
            case "price":
            {
                var v = decimal.Parse(c.Value, CultureInfo.InvariantCulture);
                return Filter.Or(Filter.Gt(p => p.Price, v), Filter.And(Filter.Eq(p => p.Price, v), Filter.Gt(p => p.Id, id)));
            }

            case "-price":
            {
                var v = decimal.Parse(c.Value, CultureInfo.InvariantCulture);
                return Filter.Or(Filter.Lt(p => p.Price, v), Filter.And(Filter.Eq(p => p.Price, v), Filter.Lt(p => p.Id, id)));
            }

            case "newest":
            {
                var v = new DateTimeOffset(long.Parse(c.Value, CultureInfo.InvariantCulture), TimeSpan.Zero);
                return Filter.Or(Filter.Lt(p => p.CreatedAt, v), Filter.And(Filter.Eq(p => p.CreatedAt, v), Filter.Lt(p => p.Id, id)));
            }

            default:
                return Filter.Or(Filter.Gt(p => p.Name, c.Value), Filter.And(Filter.Eq(p => p.Name, c.Value), Filter.Gt(p => p.Id, id)));
        }
    }

    /// <summary>Active products counted per category or brand, ordered by value.</summary>
    public static PipelineDefinition<ProductDocument, BsonDocument> CountBy(ProductFacet facet)
    {
        var field = facet == ProductFacet.Brand ? "$brand" : "$category";
        return new BsonDocument[]
        {
            new("$match", new BsonDocument("status", ProductStatus.Active)),
            new("$group", new BsonDocument { { "_id", field }, { "count", new BsonDocument("$sum", 1) } }),
            new("$sort", new BsonDocument("_id", 1)),
        };
    }

    /// <summary>
    /// Documents written before the category and brand keys existed get them at start-up. $toLower is exact for ASCII
    /// only; names with other letters are re-keyed by the next write of the product (which computes keys in .NET).
    /// </summary>
    public static (FilterDefinition<ProductDocument> Filter, PipelineDefinition<ProductDocument, ProductDocument> Update) MissingKeys() =>
        (Filter.Or(Filter.Exists(p => p.CategoryKey, false), Filter.Exists(p => p.BrandKey, false)),
         new BsonDocument[]
         {
             new("$set", new BsonDocument
             {
                 { "categoryKey", new BsonDocument("$toLower", new BsonDocument("$trim", new BsonDocument("input", "$category"))) },
                 { "brandKey", new BsonDocument("$toLower", new BsonDocument("$trim", new BsonDocument("input", "$brand"))) },
             }),
         });

    /// <summary>The indexes created at start-up: what the PostgreSQL migration creates, in MongoDB terms.</summary>
    public static IReadOnlyList<CreateIndexModel<ProductDocument>> Indexes() =>
    [
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Skus), new CreateIndexOptions { Name = "ux_skus", Unique = true }),
        new(Builders<ProductDocument>.IndexKeys.Wildcard("attributes"), new CreateIndexOptions { Name = "ix_attributes" }),
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Status).Ascending(p => p.Name).Ascending(p => p.Id), new CreateIndexOptions { Name = "ix_status_name" }),
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Status).Ascending(p => p.Price).Ascending(p => p.Id), new CreateIndexOptions { Name = "ix_status_price" }),
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Status).Descending(p => p.CreatedAt).Descending(p => p.Id), new CreateIndexOptions { Name = "ix_status_newest" }),
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Status).Ascending(p => p.CategoryKey).Ascending(p => p.Price).Ascending(p => p.Id), new CreateIndexOptions { Name = "ix_status_category_key_price" }),
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Status).Ascending(p => p.CategoryKey).Ascending(p => p.Name).Ascending(p => p.Id), new CreateIndexOptions { Name = "ix_status_category_key_name" }),
        new(Builders<ProductDocument>.IndexKeys.Ascending(p => p.Status).Ascending(p => p.BrandKey), new CreateIndexOptions { Name = "ix_status_brand_key" }),
    ];
}
