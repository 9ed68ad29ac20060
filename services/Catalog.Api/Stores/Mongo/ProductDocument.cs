using System.Text.Json;
using Catalog.Api.Products;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Catalog.Api.Stores.Mongo;

/// <summary>
/// A product as one MongoDB document: attributes and variants embedded as they are, prices as Decimal128
/// (exact, sorted numerically), ids as standard UUIDs (binary order = PostgreSQL's uuid order), and
/// <c>skus</c> = product sku + variant skus under a unique multikey index.
/// </summary>
public sealed class ProductDocument
{
    [BsonId, BsonGuidRepresentation(GuidRepresentation.Standard)]
    public Guid Id { get; set; }

    [BsonElement("sku")] public string Sku { get; set; } = "";
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("description")] public string Description { get; set; } = "";
    [BsonElement("brand")] public string Brand { get; set; } = "";
    [BsonElement("category")] public string Category { get; set; } = "";

    /// <summary>What the category and brand filters compare (<see cref="FacetKeys"/>), written with every document.</summary>
    [BsonElement("brandKey")] public string BrandKey { get; set; } = "";

    [BsonElement("categoryKey")] public string CategoryKey { get; set; } = "";

    [BsonElement("price"), BsonRepresentation(BsonType.Decimal128)]
    public decimal Price { get; set; }

    [BsonElement("currency")] public string Currency { get; set; } = "";
    [BsonElement("attributes")] public BsonDocument Attributes { get; set; } = [];
    [BsonElement("variants")] public List<VariantDocument> Variants { get; set; } = [];
    [BsonElement("skus")] public List<string> Skus { get; set; } = [];
    [BsonElement("images")] public List<string> Images { get; set; } = [];
    [BsonElement("status")] public string Status { get; set; } = "";
    [BsonElement("version")] public long Version { get; set; }

    [BsonElement("createdAt"), BsonRepresentation(BsonType.DateTime)]
    public DateTimeOffset CreatedAt { get; set; }

    [BsonElement("updatedAt"), BsonRepresentation(BsonType.DateTime)]
    public DateTimeOffset UpdatedAt { get; set; }

    public static ProductDocument From(ProductResponse p) => new()
    {
        Id = p.Id, Sku = p.Sku, Name = p.Name, Description = p.Description, Brand = p.Brand, Category = p.Category, Price = p.Price,
        BrandKey = FacetKeys.Of(p.Brand) ?? "", CategoryKey = FacetKeys.Of(p.Category) ?? "",
        Currency = p.Currency, Attributes = ToBson(p.Attributes),
        Variants = p.Variants.Select(v => new VariantDocument { Sku = v.Sku, Attributes = ToBson(v.Attributes), Price = v.Price }).ToList(),
        Skus = p.Variants.Select(v => v.Sku).Prepend(p.Sku).ToList(), Images = p.Images.ToList(), Status = p.Status, Version = p.Version,
        CreatedAt = p.CreatedAt, UpdatedAt = p.UpdatedAt,
    };

    public ProductResponse ToResponse() => new(
        Id, Sku, Name, Description, Brand, Category, Price, Currency, ToJson(Attributes),
        Variants.Select(v => new VariantResponse(v.Sku, ToJson(v.Attributes), v.Price)).ToList(), Images, Status, Version, CreatedAt, UpdatedAt);

    // Attribute values are strings, numbers, booleans or string arrays (ProductRules): JSON and BSON carry them alike.
    private static BsonDocument ToBson(IReadOnlyDictionary<string, JsonElement> attributes) =>
        BsonDocument.Parse(JsonSerializer.Serialize(attributes, CatalogJson.Default.IReadOnlyDictionaryStringJsonElement));

    private static Dictionary<string, JsonElement> ToJson(BsonDocument attributes) =>
        attributes.ToDictionary(e => e.Name, e => ToJson(e.Value));

    // By hand rather than through BSON's JSON writer, which prints the double 13.3 as 13.300000000000001.
    private static JsonElement ToJson(BsonValue value) => value.BsonType switch
    {
        BsonType.String => JsonSerializer.SerializeToElement(value.AsString, CatalogJson.Default.String),
        BsonType.Int32 => JsonSerializer.SerializeToElement(value.AsInt32, CatalogJson.Default.Int32),
        BsonType.Int64 => JsonSerializer.SerializeToElement(value.AsInt64, CatalogJson.Default.Int64),
        BsonType.Double => JsonSerializer.SerializeToElement(value.AsDouble, CatalogJson.Default.Double),
        BsonType.Decimal128 => JsonSerializer.SerializeToElement(value.AsDecimal, CatalogJson.Default.Decimal),
        BsonType.Boolean => JsonSerializer.SerializeToElement(value.AsBoolean, CatalogJson.Default.Boolean),
        BsonType.Array => JsonSerializer.SerializeToElement(value.AsBsonArray.Select(ToJson).ToList(), CatalogJson.Default.ListJsonElement),
        _ => throw new FormatException($"Attribute value of BSON type {value.BsonType} is not one the catalog writes."),
    };
}

public sealed class VariantDocument
{
    [BsonElement("sku")] public string Sku { get; set; } = "";
    [BsonElement("attributes")] public BsonDocument Attributes { get; set; } = [];

    [BsonElement("price"), BsonRepresentation(BsonType.Decimal128)]
    public decimal? Price { get; set; }
}
