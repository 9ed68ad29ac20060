using System.Globalization;
using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Util;
using Search.Api.Search;

namespace Search.Api.Engines.Lucene;

/// <summary>Field names and the mapping of a <see cref="SearchDocument"/> to a Lucene document (and back).</summary>
public static class LuceneFields
{
    public const string Id = "id";
    public const string Live = "live";
    public const string Version = "version";
    public const string Name = "name";
    public const string Brand = "brand";
    public const string Category = "category";
    public const string Description = "description";
    public const string Attributes = "attributes";
    public const string Suggest = "suggest";
    public const string Skus = "skus";
    public const string BrandFacet = "brand_facet";
    public const string CategoryFacet = "category_facet";
    public const string PriceCents = "price_cents";
    public const string InStock = "in_stock";
    public const string Created = "created";
    public const string Source = "source";

    /// <summary>Searchable text fields and their boosts: a word in the name counts most.</summary>
    public static readonly (string Field, float Boost)[] Text =
        [(Name, 3f), (Brand, 2f), (Category, 1.5f), (Description, 1f), (Attributes, 1f)];

    public static Document ToDocument(SearchDocument d)
    {
        var cents = (long)(d.Price * 100m);
        var doc = new Document
        {
            new StringField(Id, d.Id.ToString(), Field.Store.YES),
            new StringField(Live, "1", Field.Store.NO),
            new StoredField(Version, d.Version),
            new TextField(Name, d.Name, Field.Store.NO),
            new TextField(Brand, d.Brand, Field.Store.NO),
            new TextField(Category, d.Category, Field.Store.NO),
            new TextField(Description, d.Description, Field.Store.NO),
            new TextField(Attributes, d.AttributesText, Field.Store.NO),
            new TextField(Suggest, d.Name, Field.Store.NO),
            new StringField(BrandFacet, d.Brand, Field.Store.NO),
            new SortedDocValuesField(BrandFacet, new BytesRef(d.Brand)),
            new StringField(CategoryFacet, d.Category, Field.Store.NO),
            new SortedDocValuesField(CategoryFacet, new BytesRef(d.Category)),
            new Int64Field(PriceCents, cents, Field.Store.NO),
            new NumericDocValuesField(PriceCents, cents),
            new StringField(InStock, d.InStock ? "1" : "0", Field.Store.NO),
            new NumericDocValuesField(Created, d.CreatedAt.UtcTicks),
            new StoredField(Source, JsonSerializer.Serialize(d, SearchJson.Default.SearchDocument)),
        };
        foreach (var sku in d.Skus)
        {
            doc.Add(new StringField(Skus, sku, Field.Store.NO));
        }

        return doc;
    }

    /// <summary>A deleted product's marker: keeps its version so a late older upsert cannot bring it back.</summary>
    public static Document Tombstone(Guid id, long version) =>
    [
        new StringField(Id, id.ToString(), Field.Store.YES),
        new StringField(Live, "0", Field.Store.YES),
        new StoredField(Version, version),
    ];

    public static SearchDocument FromDocument(Document doc) =>
        JsonSerializer.Deserialize(doc.Get(Source), SearchJson.Default.SearchDocument)!;

    public static long PriceToCents(decimal price) => (long)decimal.Round(price * 100m);

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
