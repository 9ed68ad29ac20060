using System.Globalization;
using System.Text;
using System.Text.Json;
using Catalog.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Api.Products;

/// <summary>Where the last page ended, for keyset paging. Opaque to clients (base64url JSON).</summary>
public sealed record BrowseCursor(string Sort, string Value, Guid Id);

public sealed record BrowseQuery(string? Category, string? Brand, decimal? MinPrice, decimal? MaxPrice,
    IReadOnlyDictionary<string, string> Attributes, string Sort, int Limit, BrowseCursor? After);

/// <summary>
/// Browsing active products: filters, one of four sorts, and keyset paging — each page continues strictly
/// after the last row of the previous one along (sort key, id), so deep pages cost what the first does.
/// </summary>
public static class Browse
{
    public static readonly string[] Sorts = ["name", "price", "-price", "newest"];
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static async Task<ProductPage> RunAsync(CatalogDb db, BrowseQuery q, CancellationToken ct)
    {
        var query = db.Products.AsNoTracking().Where(p => p.Status == ProductStatus.Active);
        if (q.Category is not null) query = query.Where(p => p.Category == q.Category);
        if (q.Brand is not null) query = query.Where(p => p.Brand == q.Brand);
        if (q.MinPrice is { } min) query = query.Where(p => p.Price >= min);
        if (q.MaxPrice is { } max) query = query.Where(p => p.Price <= max);
        foreach (var (name, value) in q.Attributes)
        {
            // attr.color=red matches "red", ["red", …]; attr.size=42 also matches the number 42; true/false the booleans.
            var candidates = AttributeMatches(name, value);
            query = candidates.Count switch
            {
                2 => query.Where(p => EF.Functions.JsonContains(p.Attributes, candidates[0]) || EF.Functions.JsonContains(p.Attributes, candidates[1])),
                _ => query.Where(p => EF.Functions.JsonContains(p.Attributes, candidates[0]) || EF.Functions.JsonContains(p.Attributes, candidates[1])
                                      || EF.Functions.JsonContains(p.Attributes, candidates[2])),
            };
        }

        query = After(query, q);
        query = q.Sort switch
        {
            "price" => query.OrderBy(p => p.Price).ThenBy(p => p.Id),
            "-price" => query.OrderByDescending(p => p.Price).ThenByDescending(p => p.Id),
            "newest" => query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id),
            _ => query.OrderBy(p => p.Name).ThenBy(p => p.Id),
        };

        var rows = await query.Take(q.Limit + 1).ToListAsync(ct);
        var next = rows.Count > q.Limit ? Encode(Cursor(q.Sort, rows[q.Limit - 1])) : null;
        return new ProductPage(rows.Take(q.Limit).Select(ProductResponse.From).ToList(), next);
    }

    internal static List<string> AttributeMatches(string name, string value)
    {
        string Json(object v) => JsonSerializer.Serialize(new Dictionary<string, object> { [name] = v });
        var matches = new List<string> { Json(value), Json(new[] { value }) };
        if (decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
        {
            matches.Add(Json(number));
        }
        else if (bool.TryParse(value, out var flag))
        {
            matches.Add(Json(flag));
        }

        return matches;
    }

    private static IQueryable<Product> After(IQueryable<Product> query, BrowseQuery q)
    {
        if (q.After is not { } c)
        {
            return query;
        }

        var id = c.Id;
        switch (q.Sort)
        {
            case "price":
            {
                var v = decimal.Parse(c.Value, CultureInfo.InvariantCulture);
                return query.Where(p => p.Price > v || (p.Price == v && p.Id.CompareTo(id) > 0));
            }

            case "-price":
            {
                var v = decimal.Parse(c.Value, CultureInfo.InvariantCulture);
                return query.Where(p => p.Price < v || (p.Price == v && p.Id.CompareTo(id) < 0));
            }

            case "newest":
            {
                var v = new DateTimeOffset(long.Parse(c.Value, CultureInfo.InvariantCulture), TimeSpan.Zero);
                return query.Where(p => p.CreatedAt < v || (p.CreatedAt == v && p.Id.CompareTo(id) < 0));
            }

            default:
            {
                var v = c.Value;
                return query.Where(p => string.Compare(p.Name, v) > 0 || (p.Name == v && p.Id.CompareTo(id) > 0));
            }
        }
    }

    private static BrowseCursor Cursor(string sort, Product last) => sort switch
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
