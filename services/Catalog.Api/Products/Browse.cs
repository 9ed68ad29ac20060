using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Catalog.Api.Products;

/// <summary>Where the last page ended, for keyset paging. Opaque to clients (base64url JSON).</summary>
public sealed record BrowseCursor(string Sort, string Value, Guid Id);

public sealed record BrowseQuery(string? Category, string? Brand, decimal? MinPrice, decimal? MaxPrice,
    IReadOnlyDictionary<string, string> Attributes, string Sort, int Limit, BrowseCursor? After);

/// <summary>
/// Browsing active products: filters, one of four sorts, and keyset paging — each page continues strictly
/// after the last row of the previous one along (sort key, id), so deep pages cost what the first does.
/// The stores run the query; the rules, the page and the opaque cursor live here so they are the same on both.
/// Ids compare as bytes (uuid order in PostgreSQL, UUID binary order in MongoDB).
/// </summary>
public static class Browse
{
    public static readonly string[] Sorts = ["name", "price", "-price", "newest"];
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Counting stops here: an exact count of a large catalogue costs a scan per request, a capped one at most this many index entries.</summary>
    public const int TotalCap = 1000;

    /// <summary>The page with its match count (<paramref name="counted"/> is what the store counted, at most cap + 1).</summary>
    public static ProductPage WithTotal(ProductPage page, long counted) =>
        page with { Total = Math.Min(counted, TotalCap), TotalIsExact = counted <= TotalCap };

    /// <summary>Turns the <c>limit + 1</c> rows a store fetched into a page: the extra row only says another page exists.</summary>
    public static ProductPage Page(IReadOnlyList<ProductResponse> rows, BrowseQuery q)
    {
        var next = rows.Count > q.Limit ? Encode(Cursor(q.Sort, rows[q.Limit - 1])) : null;
        return new ProductPage(rows.Take(q.Limit).ToList(), next);
    }

    /// <summary>An attribute filter value that is also a number matches numeric attributes too (attr.ramGb=16).</summary>
    public static decimal? AsNumber(string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static BrowseCursor Cursor(string sort, ProductResponse last) => sort switch
    {
        "price" or "-price" => new(sort, last.Price.ToString(CultureInfo.InvariantCulture), last.Id),
        "newest" => new(sort, last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Id),
        _ => new(sort, last.Name, last.Id),
    };

    public static string Encode(BrowseCursor cursor) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(cursor, CatalogJson.Default.BrowseCursor)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Null when the text is not a cursor this API issued for this sort.</summary>
    public static BrowseCursor? Decode(string text, string sort)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var cursor = JsonSerializer.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(padded)), CatalogJson.Default.BrowseCursor);
            if (cursor is null || cursor.Sort != sort || cursor.Value is null)
            {
                return null;
            }

            var valid = sort switch
            {
                "price" or "-price" => decimal.TryParse(cursor.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
                "newest" => long.TryParse(cursor.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks,
                _ => true,
            };
            return valid ? cursor : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
