using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Search.Api.Search;

namespace Search.Api.Engines.Elasticsearch;

/// <summary>
/// Every request body the Elasticsearch engine sends and the parsing of what comes back, as pure functions:
/// unit-tested without a server. User text only ever becomes a JSON string value of a <c>multi_match</c>
/// or <c>match</c> query — never <c>query_string</c> syntax.
/// </summary>
public static class ElasticsearchRequests
{
    private static readonly (string Field, double Boost)[] Fields = [("name", 3), ("brand", 2), ("category", 1.5), ("description", 1), ("attributesText", 1)];

    public static JsonObject CreateIndex(Synonyms synonyms)
    {
        var filters = new JsonArray("lowercase", "asciifolding");
        var analysis = new JsonObject
        {
            ["filter"] = new JsonObject
            {
                ["english_stop"] = new JsonObject { ["type"] = "stop", ["stopwords"] = "_english_" },
                ["english_stemmer"] = new JsonObject { ["type"] = "stemmer", ["language"] = "english" },
                ["edge"] = new JsonObject { ["type"] = "edge_ngram", ["min_gram"] = 1, ["max_gram"] = 20 },
            },
        };
        if (synonyms.Lines.Count > 0)
        {
            analysis["filter"]!["product_synonyms"] = new JsonObject
            {
                ["type"] = "synonym_graph",
                ["synonyms"] = new JsonArray(synonyms.Lines.Select(l => (JsonNode)l).ToArray()),
            };
        }

        var search = new JsonArray("lowercase", "asciifolding");
        if (synonyms.Lines.Count > 0) search.Add("product_synonyms");
        search.Add("english_stop");
        search.Add("english_stemmer");
        analysis["analyzer"] = new JsonObject
        {
            ["product_text"] = new JsonObject { ["tokenizer"] = "standard", ["filter"] = new JsonArray("lowercase", "asciifolding", "english_stop", "english_stemmer") },
            // Synonyms at query time (synonym_graph must be a search analyzer): changing them needs no reindex here.
            ["product_search"] = new JsonObject { ["tokenizer"] = "standard", ["filter"] = search },
            ["edge_ngram"] = new JsonObject { ["tokenizer"] = "standard", ["filter"] = new JsonArray("lowercase", "asciifolding", "edge") },
            ["words"] = new JsonObject { ["tokenizer"] = "standard", ["filter"] = filters },
        };

        JsonObject Text() => new() { ["type"] = "text", ["analyzer"] = "product_text", ["search_analyzer"] = "product_search" };
        return new JsonObject
        {
            ["settings"] = new JsonObject { ["number_of_shards"] = 1, ["analysis"] = analysis },
            ["mappings"] = new JsonObject
            {
                ["dynamic"] = "strict",
                ["properties"] = new JsonObject
                {
                    ["id"] = new JsonObject { ["type"] = "keyword" },
                    ["sku"] = new JsonObject { ["type"] = "keyword" },
                    ["skus"] = new JsonObject { ["type"] = "keyword" },
                    ["name"] = new JsonObject
                    {
                        ["type"] = "text", ["analyzer"] = "product_text", ["search_analyzer"] = "product_search",
                        ["fields"] = new JsonObject
                        {
                            ["suggest"] = new JsonObject { ["type"] = "text", ["analyzer"] = "edge_ngram", ["search_analyzer"] = "words" },
                            ["raw"] = new JsonObject { ["type"] = "keyword" },
                        },
                    },
                    ["brand"] = new JsonObject { ["type"] = "text", ["analyzer"] = "product_text", ["search_analyzer"] = "product_search", ["fields"] = new JsonObject { ["keyword"] = new JsonObject { ["type"] = "keyword" } } },
                    ["category"] = new JsonObject { ["type"] = "text", ["analyzer"] = "product_text", ["search_analyzer"] = "product_search", ["fields"] = new JsonObject { ["keyword"] = new JsonObject { ["type"] = "keyword" } } },
                    ["description"] = Text(),
                    ["attributesText"] = Text(),
                    ["price"] = new JsonObject { ["type"] = "scaled_float", ["scaling_factor"] = 100 },
                    ["currency"] = new JsonObject { ["type"] = "keyword" },
                    ["inStock"] = new JsonObject { ["type"] = "boolean" },
                    ["createdAt"] = new JsonObject { ["type"] = "date" },
                    ["version"] = new JsonObject { ["type"] = "long" },
                    ["deleted"] = new JsonObject { ["type"] = "boolean" },
                },
            },
        };
    }

    public static JsonObject Document(SearchDocument d) => new()
    {
        ["id"] = d.Id.ToString(), ["sku"] = d.Sku, ["skus"] = new JsonArray(d.Skus.Select(s => (JsonNode)s).ToArray()), ["name"] = d.Name,
        ["brand"] = d.Brand, ["category"] = d.Category, ["description"] = d.Description, ["attributesText"] = d.AttributesText, ["price"] = d.Price,
        ["currency"] = d.Currency, ["inStock"] = d.InStock, ["createdAt"] = d.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["version"] = d.Version, ["deleted"] = false,
    };

    public static JsonObject Tombstone(Guid id, long version) => new() { ["id"] = id.ToString(), ["version"] = version, ["deleted"] = true };

    /// <summary>
    /// PUT with external versioning: Elasticsearch refuses (409) a version not greater than the stored one,
    /// which is exactly "an older or equal version never wins". Stock rewrites use <c>external_gte</c> (same version).
    /// </summary>
    public static string DocumentUrl(string index, Guid id, long version, bool sameVersionAllowed = false) =>
        $"/{index}/_doc/{id}?version={version}&version_type={(sameVersionAllowed ? "external_gte" : "external")}&refresh=true";

    /// <summary>One NDJSON bulk body: index actions with external versions (an item refused with 409 is a newer live write, kept).</summary>
    public static string Bulk(string index, IEnumerable<SearchDocument> documents)
    {
        var ndjson = new StringBuilder();
        foreach (var d in documents)
        {
            ndjson.Append(new JsonObject
            {
                ["index"] = new JsonObject { ["_index"] = index, ["_id"] = d.Id.ToString(), ["version"] = d.Version, ["version_type"] = "external" },
            }.ToJsonString()).Append('\n');
            ndjson.Append(Document(d).ToJsonString()).Append('\n');
        }

        return ndjson.ToString();
    }

    /// <summary>The search: words AND-ed over boosted fields (fuzzy when <paramref name="fuzzy"/>), filters, sort, page, aggregations, highlight.</summary>
    public static JsonObject Search(SearchQuery q, bool fuzzy)
    {
        var filters = new JsonArray(new JsonObject { ["term"] = new JsonObject { ["deleted"] = false } });
        if (q.Category is not null) filters.Add(Term("category.keyword", q.Category));
        if (q.Brand is not null) filters.Add(Term("brand.keyword", q.Brand));
        if (q.InStock is { } inStock) filters.Add(Term("inStock", inStock));
        if (q.MinPrice is not null || q.MaxPrice is not null)
        {
            var range = new JsonObject();
            if (q.MinPrice is { } min) range["gte"] = min;
            if (q.MaxPrice is { } max) range["lte"] = max;
            filters.Add(new JsonObject { ["range"] = new JsonObject { ["price"] = range } });
        }

        var boolQuery = new JsonObject { ["filter"] = filters };
        if (q.Text is { } text)
        {
            var match = new JsonObject
            {
                ["query"] = text,
                ["fields"] = new JsonArray(Fields.Select(f => (JsonNode)$"{f.Field}^{f.Boost.ToString(CultureInfo.InvariantCulture)}").ToArray()),
                ["type"] = "cross_fields",
                ["operator"] = "and",
            };
            if (fuzzy)
            {
                // cross_fields does not take fuzziness; best_fields does. Only asked when the exact words found nothing.
                match["type"] = "best_fields";
                match["fuzziness"] = "AUTO";
                match["prefix_length"] = 1;
            }

            boolQuery["must"] = new JsonArray(new JsonObject { ["multi_match"] = match });
        }

        var edges = PriceBuckets.Edges;
        var ranges = new JsonArray(edges.Select((from, i) =>
        {
            var r = new JsonObject { ["key"] = i.ToString(CultureInfo.InvariantCulture), ["from"] = from };
            if (i + 1 < edges.Length) r["to"] = edges[i + 1];
            return (JsonNode)r;
        }).ToArray());

        return new JsonObject
        {
            ["query"] = new JsonObject { ["bool"] = boolQuery },
            ["from"] = (q.Page - 1) * q.PageSize,
            ["size"] = q.PageSize,
            ["track_total_hits"] = true,
            ["sort"] = q.Sort switch
            {
                "price" => new JsonArray(Sort("price", "asc"), Sort("id", "asc")),
                "-price" => new JsonArray(Sort("price", "desc"), Sort("id", "desc")),
                "newest" => new JsonArray(Sort("createdAt", "desc"), Sort("id", "desc")),
                _ => new JsonArray(Sort("_score", "desc"), Sort("id", "asc")),
            },
            ["aggs"] = new JsonObject
            {
                ["brand"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = "brand.keyword", ["size"] = 20 } },
                ["category"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = "category.keyword", ["size"] = 20 } },
                ["price"] = new JsonObject { ["range"] = new JsonObject { ["field"] = "price", ["ranges"] = ranges } },
            },
            ["highlight"] = new JsonObject
            {
                ["pre_tags"] = new JsonArray("<em>"), ["post_tags"] = new JsonArray("</em>"), ["encoder"] = "html",
                ["fields"] = new JsonObject { ["name"] = new JsonObject { ["number_of_fragments"] = 0 } },
            },
        };
    }

    public static JsonObject Suggest(string prefix, int limit) => new()
    {
        ["size"] = limit * 5,
        ["_source"] = new JsonArray("name"),
        ["query"] = new JsonObject
        {
            ["bool"] = new JsonObject
            {
                ["must"] = new JsonArray(new JsonObject { ["match"] = new JsonObject { ["name.suggest"] = new JsonObject { ["query"] = prefix, ["operator"] = "and" } } }),
                ["filter"] = new JsonArray(new JsonObject { ["term"] = new JsonObject { ["deleted"] = false } }),
            },
        },
    };

    public static JsonObject BySku(string sku) => new()
    {
        ["size"] = 1,
        ["query"] = new JsonObject { ["bool"] = new JsonObject { ["filter"] = new JsonArray(Term("skus", sku), Term("deleted", false)) } },
    };

    /// <summary>One page of live ids and versions, in id order after <paramref name="after"/>.</summary>
    public static JsonObject Versions(string? after, int size)
    {
        var body = new JsonObject
        {
            ["size"] = size,
            ["_source"] = new JsonArray("id", "version"),
            ["query"] = new JsonObject { ["term"] = new JsonObject { ["deleted"] = false } },
            ["sort"] = new JsonArray(Sort("id", "asc")),
        };
        if (after is not null) body["search_after"] = new JsonArray(after);
        return body;
    }

    /// <summary>Moves the alias in one atomic call: no moment without an index behind it.</summary>
    public static JsonObject SwapAlias(string alias, string? oldIndex, string newIndex)
    {
        var actions = new JsonArray();
        if (oldIndex is not null) actions.Add(new JsonObject { ["remove"] = new JsonObject { ["index"] = oldIndex, ["alias"] = alias } });
        actions.Add(new JsonObject { ["add"] = new JsonObject { ["index"] = newIndex, ["alias"] = alias } });
        return new JsonObject { ["actions"] = actions };
    }

    public static SearchResult ParseSearch(JsonNode response, double tookMs)
    {
        var hits = response["hits"]!;
        var items = hits["hits"]!.AsArray().Select(h =>
        {
            var source = h!["_source"]!;
            var name = source["name"]!.GetValue<string>();
            var highlight = h["highlight"]?["name"]?[0]?.GetValue<string>() ?? System.Net.WebUtility.HtmlEncode(name);
            return new SearchHit(Guid.Parse(source["id"]!.GetValue<string>()), source["sku"]!.GetValue<string>(), name, source["brand"]!.GetValue<string>(),
                source["category"]!.GetValue<string>(), source["price"]!.GetValue<decimal>(), source["currency"]!.GetValue<string>(),
                source["inStock"]!.GetValue<bool>(), highlight, h["_score"]?.GetValueKind() == JsonValueKind.Number ? h["_score"]!.GetValue<double>() : 0);
        }).ToList();
        var aggs = response["aggregations"]!;
        IEnumerable<FacetValue> Terms(string name) => aggs[name]!["buckets"]!.AsArray()
            .Select(b => new FacetValue(b!["key"]!.GetValue<string>(), b["doc_count"]!.GetValue<long>()));
        var counts = new long[PriceBuckets.Edges.Length];
        foreach (var bucket in aggs["price"]!["buckets"]!.AsArray())
        {
            counts[int.Parse(bucket!["key"]!.GetValue<string>(), CultureInfo.InvariantCulture)] = bucket["doc_count"]!.GetValue<long>();
        }

        return new SearchResult(hits["total"]!["value"]!.GetValue<long>(), items,
            new SearchFacets(PriceBuckets.Top(Terms("brand")), PriceBuckets.Top(Terms("category")), PriceBuckets.ToBuckets(counts)), tookMs);
    }

    public static SearchDocument ParseDocument(JsonNode source) => new(
        Guid.Parse(source["id"]!.GetValue<string>()), source["sku"]!.GetValue<string>(),
        source["skus"]!.AsArray().Select(s => s!.GetValue<string>()).ToList(), source["name"]!.GetValue<string>(), source["brand"]!.GetValue<string>(),
        source["category"]!.GetValue<string>(), source["description"]!.GetValue<string>(), source["attributesText"]!.GetValue<string>(),
        source["price"]!.GetValue<decimal>(), source["currency"]!.GetValue<string>(), source["inStock"]!.GetValue<bool>(),
        DateTimeOffset.Parse(source["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture), source["version"]!.GetValue<long>());

    private static JsonObject Term(string field, JsonNode value) => new() { ["term"] = new JsonObject { [field] = value } };

    private static JsonObject Sort(string field, string order) => new() { [field] = new JsonObject { ["order"] = order } };
}
