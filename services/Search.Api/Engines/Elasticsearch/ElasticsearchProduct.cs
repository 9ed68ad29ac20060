using Search.Api.Search;

namespace Search.Api.Engines.Elasticsearch;

/// <summary>
/// A product's <c>_source</c> in the index, written and read by the client's source serializer (camelCase names, nulls
/// left out). A tombstone carries only <see cref="Id"/>, <see cref="Version"/> and <see cref="Deleted"/>: it keeps the
/// external version of a deleted product so that an older write cannot bring it back.
/// </summary>
public sealed class ElasticsearchProduct
{
    public required string Id { get; init; }
    public string? Sku { get; init; }
    public IReadOnlyList<string>? Skus { get; init; }
    public string? Name { get; init; }
    public string? Brand { get; init; }
    public string? Category { get; init; }
    public string? Description { get; init; }
    public string? AttributesText { get; init; }
    public decimal? Price { get; init; }
    public string? Currency { get; init; }
    public bool? InStock { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public long Version { get; init; }
    public bool Deleted { get; init; }

    public static ElasticsearchProduct From(SearchDocument d) => new()
    {
        Id = d.Id.ToString(), Sku = d.Sku, Skus = d.Skus, Name = d.Name, Brand = d.Brand, Category = d.Category, Description = d.Description,
        AttributesText = d.AttributesText, Price = d.Price, Currency = d.Currency, InStock = d.InStock, CreatedAt = d.CreatedAt.ToUniversalTime(),
        Version = d.Version,
    };

    public static ElasticsearchProduct Tombstone(Guid id, long version) => new() { Id = id.ToString(), Version = version, Deleted = true };

    public SearchDocument ToDocument() => new(
        Guid.Parse(Id), Sku!, Skus ?? [], Name!, Brand!, Category!, Description ?? "", AttributesText ?? "", Price ?? 0, Currency!, InStock ?? false,
        CreatedAt ?? DateTimeOffset.MinValue, Version);
}
