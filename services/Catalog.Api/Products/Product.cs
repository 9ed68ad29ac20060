namespace Catalog.Api.Products;

public static class ProductStatus
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Archived = "archived";
    public static readonly string[] All = [Draft, Active, Archived];
}

/// <summary>
/// A product. Free-form <c>Attributes</c> and <c>Variants</c> are JSONB (GIN-indexed for attribute filters);
/// <c>VariantSkus</c> repeats the variant skus as an array so a sku lookup is one indexed query.
/// </summary>
public sealed class Product
{
    public Guid Id { get; set; }
    public required string Sku { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required string Brand { get; set; }
    public required string Category { get; set; }
    public decimal Price { get; set; }
    public required string Currency { get; set; }
    public string Attributes { get; set; } = "{}";
    public string Variants { get; set; } = "[]";
    public string[] VariantSkus { get; set; } = [];
    public string[] Images { get; set; } = [];
    public required string Status { get; set; }
    public long Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
