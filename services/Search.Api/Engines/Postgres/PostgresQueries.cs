using System.Text;
using System.Text.Json.Serialization;
using Npgsql;
using Search.Api.Search;

namespace Search.Api.Engines.Postgres;

/// <summary>
/// The SQL of a search, built without a connection (unit-tested). User text never reaches SQL or tsquery
/// syntax: it is cut into letters-and-digits words, which go in as parameters.
/// </summary>
public static class PostgresQueries
{
    /// <summary>Lower-case words of letters and digits; everything else separates words.</summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text.ToLowerInvariant().Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        return words.Distinct().Take(20).ToList();
    }

    /// <summary>
    /// The tsquery text: every word must match, a word or any of its synonyms — e.g. <c>(sneaker | trainer) &amp; red</c>.
    /// Safe to hand to <c>to_tsquery</c>: the words hold only letters and digits.
    /// </summary>
    public static string TsQuery(IReadOnlyList<string> words, Synonyms synonyms) =>
        string.Join(" & ", words.Select(w =>
        {
            var group = synonyms.Groups.TryGetValue(w, out var g) ? g.SelectMany(Words).Distinct().ToList() : [w];
            return group.Count == 1 ? group[0] : "(" + string.Join(" | ", group) + ")";
        }));

    public static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>
    /// One statement: the matched set (materialised once), then its count, the page as JSON, and brand,
    /// category and price-bucket counts over it.
    /// </summary>
    public static (string Sql, List<NpgsqlParameter> Parameters) Search(string table, SearchQuery q, IReadOnlyList<string> words, Synonyms synonyms, bool fuzzy)
    {
        var parameters = new List<NpgsqlParameter>();
        string Add(object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            return "$" + parameters.Count;
        }

        var where = new List<string> { "live" };
        string score;
        string highlight;
        if (words.Count == 0)
        {
            score = "0::real";
            highlight = Escaped("name");
        }
        else if (!fuzzy)
        {
            var tsq = Add(TsQuery(words, synonyms));
            where.Add($"tsv @@ to_tsquery('english', {tsq})");
            score = $"ts_rank(tsv, to_tsquery('english', {tsq}))";
            highlight = $"ts_headline('english', {Escaped("name")}, to_tsquery('english', {tsq}), 'StartSel=<em>, StopSel=</em>, HighlightAll=true')";
        }
        else
        {
            // Each word must nearly appear (trigram word similarity ≥ the session threshold), scored by how near.
            var parts = words.Select(w => Add(w)).ToList();
            where.AddRange(parts.Select(p => $"{p} <% search_text"));
            score = string.Join(" + ", parts.Select(p => $"word_similarity({p}, search_text)"));
            highlight = Escaped("name");
        }

        if (q.Category is not null) where.Add($"category = {Add(q.Category)}");
        if (q.Brand is not null) where.Add($"brand = {Add(q.Brand)}");
        if (q.MinPrice is { } min) where.Add($"price >= {Add(min)}");
        if (q.MaxPrice is { } max) where.Add($"price <= {Add(max)}");
        if (q.InStock is { } inStock) where.Add($"in_stock = {Add(inStock)}");

        var order = q.Sort switch
        {
            "price" => "price, id",
            "-price" => "price DESC, id DESC",
            "newest" => "created_at DESC, id DESC",
            _ => "score DESC, id",
        };
        var limit = Add(q.PageSize);
        var offset = Add((q.Page - 1) * q.PageSize);
        var edges = string.Join(", ", PriceBuckets.Edges.Skip(1).Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var sql = $"""
            WITH matched AS MATERIALIZED (
                SELECT id, sku, name, brand, category, price, currency, in_stock, created_at, {score} AS score
                FROM {table} WHERE {string.Join(" AND ", where)})
            SELECT
                (SELECT count(*) FROM matched),
                (SELECT coalesce(json_agg(json_build_object('id', id, 'sku', sku, 'name', name, 'brand', brand, 'category', category, 'price', price,
                        'currency', currency, 'inStock', in_stock, 'score', score, 'highlight', {highlight})), '[]')::text
                 FROM (SELECT * FROM matched ORDER BY {order} LIMIT {limit} OFFSET {offset}) p),
                (SELECT coalesce(json_agg(json_build_object('v', brand, 'c', n)), '[]')::text FROM (SELECT brand, count(*) n FROM matched GROUP BY brand) b),
                (SELECT coalesce(json_agg(json_build_object('v', category, 'c', n)), '[]')::text FROM (SELECT category, count(*) n FROM matched GROUP BY category) c),
                (SELECT coalesce(json_agg(json_build_object('v', bucket::text, 'c', n)), '[]')::text
                 FROM (SELECT width_bucket(price, ARRAY[{edges}]::numeric[]) bucket, count(*) n FROM matched GROUP BY 1) r)
            """;
        return (sql, parameters);
    }

    private static string Escaped(string column) => $"replace(replace(replace({column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')";
}

public sealed record HitRow(Guid Id, string Sku, string Name, string Brand, string Category, decimal Price, string Currency, bool InStock, double Score, string Highlight);

public sealed record FacetRow(string V, long C);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<HitRow>))]
[JsonSerializable(typeof(List<FacetRow>))]
public sealed partial class PostgresJson : JsonSerializerContext;
