using System.Text.Json;
using Ecommerce.Contracts.Events;

namespace Search.Api.Search;

/// <summary>
/// What search keeps of a product: the searchable text, the filterable fields and the version that orders
/// updates. Built from a catalog snapshot plus the stock the service has heard of.
/// </summary>
public sealed record SearchDocument(
    Guid Id, string Sku, IReadOnlyList<string> Skus, string Name, string Brand, string Category, string Description,
    string AttributesText, decimal Price, string Currency, bool InStock, DateTimeOffset CreatedAt, long Version)
{
    public static SearchDocument From(ProductSnapshot p, bool inStock) => new(
        p.Id, p.Sku, p.Variants.Select(v => v.Sku).Prepend(p.Sku).ToList(), p.Name, p.Brand, p.Category, p.Description,
        TextOf(p.Attributes), p.Price, p.Currency, inStock, p.CreatedAt, p.Version);

    /// <summary>Attribute values as words ("leather", "waterproof"), so "leather boot" finds a boot made of leather.</summary>
    public static string TextOf(IReadOnlyDictionary<string, JsonElement> attributes) =>
        string.Join(' ', attributes.SelectMany(a => a.Value.ValueKind switch
        {
            JsonValueKind.String => [a.Value.GetString()!],
            JsonValueKind.Array => a.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!),
            JsonValueKind.True => [a.Key],
            _ => [],
        }));
}

public static class SearchText
{
    /// <summary>Text without control characters (a NUL cannot even be sent to PostgreSQL), trimmed.</summary>
    public static string Clean(string? text) => new string((text ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
}

public static class SearchSorts
{
    public const string Relevance = "relevance";
    public static readonly string[] All = [Relevance, "price", "-price", "newest"];
}

public sealed record SearchQuery(string? Text, string? Category, string? Brand, decimal? MinPrice, decimal? MaxPrice, bool? InStock,
    string Sort, int Page, int PageSize)
{
    public const int MaxPageSize = 100;
    public const int MaxPage = 100;
    public const int MaxTextLength = 200;
}

public sealed record SearchHit(Guid Id, string Sku, string Name, string Brand, string Category, decimal Price, string Currency, bool InStock,
    string Highlight, double Score);

public sealed record FacetValue(string Value, long Count);

public sealed record PriceBucket(decimal From, decimal? To, long Count);

public sealed record SearchFacets(IReadOnlyList<FacetValue> Brand, IReadOnlyList<FacetValue> Category, IReadOnlyList<PriceBucket> Price);

/// <param name="DidYouMean">Set only when the words as typed found nothing and typo matching did (see <see cref="Search.DidYouMean"/>).</param>
public sealed record SearchResult(long Total, IReadOnlyList<SearchHit> Items, SearchFacets Facets, double TookMs, string? DidYouMean = null)
{
    public static SearchResult Empty { get; } = new(0, [], new SearchFacets([], [], []), 0);
}

/// <summary>The price facet's fixed edges: every engine counts the same buckets.</summary>
public static class PriceBuckets
{
    public static readonly decimal[] Edges = [0m, 25m, 50m, 100m, 250m, 500m, 1000m];

    public static int IndexOf(decimal price)
    {
        for (var i = Edges.Length - 1; i > 0; i--)
        {
            if (price >= Edges[i]) return i;
        }

        return 0;
    }

    public static IReadOnlyList<PriceBucket> ToBuckets(long[] counts) =>
        Edges.Select((from, i) => new PriceBucket(from, i + 1 < Edges.Length ? Edges[i + 1] : null, counts[i])).Where(b => b.Count > 0).ToList();

    /// <summary>Facet lists: by count, then value; at most 20.</summary>
    public static IReadOnlyList<FacetValue> Top(IEnumerable<FacetValue> values) =>
        values.Where(v => v.Count > 0).OrderByDescending(v => v.Count).ThenBy(v => v.Value, StringComparer.Ordinal).Take(20).ToList();
}
