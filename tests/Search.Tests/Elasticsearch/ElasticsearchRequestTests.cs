using System.Text;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport.Extensions;
using Search.Api.Engines.Elasticsearch;

namespace Search.Tests.Elasticsearch;

/// <summary>
/// The typed requests the Elasticsearch engine builds, serialized by the client's own serializer (exactly what would go
/// on the wire), and the reading of a search response the client deserialized — all without a server.
/// </summary>
public sealed class ElasticsearchRequestTests
{
    private static readonly Synonyms TestSynonyms = new(["sneaker, trainer, runner"]);

    // Serializing needs the client's settings only: nothing connects to this address.
    private static readonly ElasticsearchClient Client = new(new ElasticsearchClientSettings(new Uri("http://localhost:9200")));

    private static JsonNode Json<T>(T request) => JsonNode.Parse(Client.RequestResponseSerializer.SerializeToString(request))!;

    private static SearchQuery Query(string? text = null, string? category = null, string? brand = null, decimal? min = null, decimal? max = null,
        bool? inStock = null, string sort = "relevance", int page = 1, int pageSize = 20) =>
        new(text, category, brand, min, max, inStock, sort, page, pageSize);

    /// <summary>A bool clause (or a sort) holds one query or an array of them; either way, its queries.</summary>
    private static List<JsonNode> Clauses(JsonNode? clause) => clause switch
    {
        null => [],
        JsonArray array => array.Select(n => n!).ToList(),
        _ => [clause],
    };

    /// <summary>A term query written either short (<c>{"f": v}</c>) or long (<c>{"f": {"value": v}}</c>), as (field, value).</summary>
    private static (string Field, string Value) Term(JsonNode query)
    {
        var term = query["term"]!.AsObject().Single();
        var value = term.Value is JsonObject o ? o["value"]! : term.Value!;
        return (term.Key, value.ToJsonString());
    }

    private static IEnumerable<(string Field, string Order)> Sorts(JsonNode body) => Clauses(body["sort"]).Select(s =>
    {
        var sort = s!.AsObject().Single();
        return (sort.Key, sort.Value!["order"]!.GetValue<string>());
    });

    [Fact]
    public void A_text_query_ands_the_words_over_boosted_fields_with_every_filter_the_page_and_the_aggregations()
    {
        var body = Json(ElasticsearchRequests.Search("products", Query("red shoe", category: "shoes", brand: "Velo", min: 10m, max: 99.5m, inStock: true, page: 3, pageSize: 10), fuzzy: false));

        var query = body["query"]!["bool"]!;
        var match = Assert.Single(Clauses(query["must"]))["multi_match"]!;
        Assert.Equal("red shoe", match["query"]!.GetValue<string>());
        Assert.Equal(["name^3", "brand^2", "category^1.5", "description^1", "attributesText^1"], match["fields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(("and", "cross_fields"), (match["operator"]!.GetValue<string>().ToLowerInvariant(), match["type"]!.GetValue<string>()));
        Assert.Null(match["fuzziness"]);

        var filters = Clauses(query["filter"]);
        Assert.Equal([("deleted", "false"), ("category.keyword", "\"shoes\""), ("brand.keyword", "\"Velo\""), ("inStock", "true")],
            filters.Where(f => f["term"] is not null).Select(Term));
        var price = Assert.Single(filters, f => f["range"] is not null)["range"]!["price"]!;
        Assert.Equal((10m, 99.5m), (price["gte"]!.GetValue<decimal>(), price["lte"]!.GetValue<decimal>()));
        Assert.Equal(5, filters.Count);

        Assert.Equal((20, 10, true), (body["from"]!.GetValue<int>(), body["size"]!.GetValue<int>(), body["track_total_hits"]!.GetValue<bool>()));
        Assert.Equal([("_score", "desc"), ("id", "asc")], Sorts(body));

        var aggs = body["aggregations"] ?? body["aggs"]!;
        Assert.Equal(("brand.keyword", 20), (aggs["brand"]!["terms"]!["field"]!.GetValue<string>(), aggs["brand"]!["terms"]!["size"]!.GetValue<int>()));
        Assert.Equal(("category.keyword", 20), (aggs["category"]!["terms"]!["field"]!.GetValue<string>(), aggs["category"]!["terms"]!["size"]!.GetValue<int>()));
        Assert.Equal("price", aggs["price"]!["range"]!["field"]!.GetValue<string>());
        Assert.Equal([("0", 0m, (decimal?)25m), ("1", 25m, 50m), ("2", 50m, 100m), ("3", 100m, 250m), ("4", 250m, 500m), ("5", 500m, 1000m), ("6", 1000m, null)],
            aggs["price"]!["range"]!["ranges"]!.AsArray().Select(r => (r!["key"]!.GetValue<string>(), r["from"]!.GetValue<decimal>(), r["to"]?.GetValue<decimal>())));

        var highlight = body["highlight"]!;
        Assert.Equal(("<em>", "</em>", "html"), (highlight["pre_tags"]![0]!.GetValue<string>(), highlight["post_tags"]![0]!.GetValue<string>(),
            highlight["encoder"]!.GetValue<string>()));
        Assert.Equal(0, highlight["fields"]!["name"]!["number_of_fragments"]!.GetValue<int>());
    }

    [Fact]
    public void The_typo_request_is_fuzzy_and_an_empty_text_matches_everything_filtered()
    {
        var fuzzy = Clauses(Json(ElasticsearchRequests.Search("products", Query("headphnes"), fuzzy: true))["query"]!["bool"]!["must"]).Single()["multi_match"]!;
        var all = Json(ElasticsearchRequests.Search("products", Query(category: "shoes"), fuzzy: false))["query"]!["bool"]!;

        Assert.Equal(("AUTO", "best_fields", 1), (fuzzy["fuzziness"]!.GetValue<string>(), fuzzy["type"]!.GetValue<string>(), fuzzy["prefix_length"]!.GetValue<int>()));
        Assert.Equal("and", fuzzy["operator"]!.GetValue<string>().ToLowerInvariant());
        Assert.Equal("name^3", fuzzy["fields"]![0]!.GetValue<string>());
        Assert.Null(all["must"]);
        Assert.Equal([("deleted", "false"), ("category.keyword", "\"shoes\"")], Clauses(all["filter"]).Select(Term));
    }

    [Theory]
    [InlineData("price", "price:asc id:asc")]
    [InlineData("-price", "price:desc id:desc")]
    [InlineData("newest", "createdAt:desc id:desc")]
    [InlineData("relevance", "_score:desc id:asc")]
    public void Each_sort_breaks_ties_by_id(string sort, string expected)
    {
        var body = Json(ElasticsearchRequests.Search("products", Query(sort: sort), fuzzy: false));

        Assert.Equal(expected, string.Join(' ', Sorts(body).Select(s => $"{s.Field}:{s.Order}")));
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("*")]
    [InlineData("name:boot")]
    [InlineData("a) OR (b")]
    [InlineData("\"unbalanced")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("{\"query\":{\"match_all\":{}}}")]
    public void User_text_is_only_ever_a_string_value_never_query_syntax(string text)
    {
        var search = Json(ElasticsearchRequests.Search("products", Query(text), fuzzy: false));
        var suggest = Json(ElasticsearchRequests.Suggest("products", text, 10));

        Assert.Equal(text, Clauses(search["query"]!["bool"]!["must"]).Single()["multi_match"]!["query"]!.GetValue<string>());
        Assert.DoesNotContain("query_string", search.ToJsonString(), StringComparison.Ordinal);
        var match = Clauses(suggest["query"]!["bool"]!["must"]).Single()["match"]!["name.suggest"]!;
        Assert.Equal((text, "and"), (match["query"]!.GetValue<string>(), match["operator"]!.GetValue<string>().ToLowerInvariant()));
        Assert.DoesNotContain("query_string", suggest.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Suggest_asks_for_names_of_live_products_only_with_room_for_duplicates()
    {
        var body = Json(ElasticsearchRequests.Suggest("products", "trai", 10));

        Assert.Equal(50, body["size"]!.GetValue<int>());
        Assert.Equal(["name"], Includes(body["_source"]!));
        Assert.Equal([("deleted", "false")], Clauses(body["query"]!["bool"]!["filter"]).Select(Term));
    }

    [Fact]
    public void A_sku_lookup_filters_on_every_variant_sku_of_live_products()
    {
        var body = Json(ElasticsearchRequests.BySku("products", "SKU-1-43"));

        Assert.Equal(1, body["size"]!.GetValue<int>());
        Assert.Equal([("skus", "\"SKU-1-43\""), ("deleted", "false")], Clauses(body["query"]!["bool"]!["filter"]).Select(Term));
        Assert.Null(body["query"]!["bool"]!["must"]);
    }

    [Fact]
    public void Versions_are_read_in_id_order_one_page_after_another()
    {
        var first = Json(ElasticsearchRequests.Versions("products", null, 5000));
        var next = Json(ElasticsearchRequests.Versions("products", "00000000-0000-7000-8000-000000000009", 5000));

        Assert.Equal(5000, first["size"]!.GetValue<int>());
        Assert.Equal(["id", "version"], Includes(first["_source"]!));
        Assert.Equal(("deleted", "false"), Term(first["query"]!));
        Assert.Equal([("id", "asc")], Sorts(first));
        Assert.Null(first["search_after"]);
        Assert.Equal(["00000000-0000-7000-8000-000000000009"], next["search_after"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public void The_index_maps_every_field_strictly_with_english_analysis_synonyms_at_query_time_and_edge_ngrams_for_suggest()
    {
        var body = Json(ElasticsearchRequests.CreateIndex("products-1", TestSynonyms));
        var properties = body["mappings"]!["properties"]!;
        var settings = body["settings"]!["index"] ?? body["settings"]!;
        var analysis = settings["analysis"]!;
        IEnumerable<string> Filters(string analyzer) => analysis["analyzer"]![analyzer]!["filter"]!.AsArray().Select(f => f!.GetValue<string>());

        Assert.Equal("strict", body["mappings"]!["dynamic"]!.GetValue<string>());
        Assert.Equal("1", settings["number_of_shards"]!.ToJsonString().Trim('"'));
        Assert.Equal(["sneaker, trainer, runner"], analysis["filter"]!["product_synonyms"]!["synonyms"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("synonym_graph", analysis["filter"]!["product_synonyms"]!["type"]!.GetValue<string>());
        Assert.Equal(("stop", "_english_"), (analysis["filter"]!["english_stop"]!["type"]!.GetValue<string>(), analysis["filter"]!["english_stop"]!["stopwords"]!.GetValue<string>()));
        Assert.Equal(("stemmer", "english"), (analysis["filter"]!["english_stemmer"]!["type"]!.GetValue<string>(), analysis["filter"]!["english_stemmer"]!["language"]!.GetValue<string>()));
        Assert.Equal(("edge_ngram", 1, 20), (analysis["filter"]!["edge"]!["type"]!.GetValue<string>(), analysis["filter"]!["edge"]!["min_gram"]!.GetValue<int>(),
            analysis["filter"]!["edge"]!["max_gram"]!.GetValue<int>()));
        Assert.Equal(["lowercase", "asciifolding", "product_synonyms", "english_stop", "english_stemmer"], Filters("product_search"));
        Assert.Equal(["lowercase", "asciifolding", "english_stop", "english_stemmer"], Filters("product_text"));
        Assert.Equal(["lowercase", "asciifolding", "edge"], Filters("edge_ngram"));
        Assert.Equal(("product_text", "product_search"), (properties["description"]!["analyzer"]!.GetValue<string>(), properties["description"]!["search_analyzer"]!.GetValue<string>()));
        Assert.Equal(("edge_ngram", "words"), (properties["name"]!["fields"]!["suggest"]!["analyzer"]!.GetValue<string>(),
            properties["name"]!["fields"]!["suggest"]!["search_analyzer"]!.GetValue<string>()));
        Assert.Equal("keyword", properties["brand"]!["fields"]!["keyword"]!["type"]!.GetValue<string>());
        Assert.Equal("keyword", properties["category"]!["fields"]!["keyword"]!["type"]!.GetValue<string>());
        Assert.Equal(("scaled_float", 100d), (properties["price"]!["type"]!.GetValue<string>(), properties["price"]!["scaling_factor"]!.GetValue<double>()));
        Assert.Equal(["attributesText", "brand", "category", "createdAt", "currency", "deleted", "description", "id", "inStock", "name", "price", "sku", "skus", "version"],
            properties.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(("keyword", "boolean", "long", "date"), (properties["skus"]!["type"]!.GetValue<string>(), properties["deleted"]!["type"]!.GetValue<string>(),
            properties["version"]!["type"]!.GetValue<string>(), properties["createdAt"]!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Without_synonyms_the_search_analyzer_has_no_synonym_filter()
    {
        var analysis = Json(ElasticsearchRequests.CreateIndex("products-1", new Synonyms([])))["settings"]!;
        analysis = (analysis["index"] ?? analysis)["analysis"]!;

        Assert.Null(analysis["filter"]!["product_synonyms"]);
        Assert.DoesNotContain("product_synonyms", analysis["analyzer"]!["product_search"]!["filter"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public void Writes_carry_the_external_version_and_stock_rewrites_may_keep_it()
    {
        var document = SearchEngineContract.Corpus[0] with { Version = 7 };

        var write = ElasticsearchRequests.Index("products", ElasticsearchProduct.From(document));
        var stock = ElasticsearchRequests.Index("products", ElasticsearchProduct.From(document), sameVersionAllowed: true);
        var tombstone = ElasticsearchRequests.Index("products", ElasticsearchProduct.Tombstone(document.Id, 8));

        Assert.Equal((7L, VersionType.External, Refresh.True), (write.Version, write.VersionType, write.Refresh));
        Assert.Equal((7L, VersionType.ExternalGte), (stock.Version, stock.VersionType));
        Assert.Equal((8L, VersionType.External), (tombstone.Version, tombstone.VersionType));
        var body = Json(write);
        Assert.Equal((document.Id.ToString(), "Stride Trail Runner", 89.90m, false, 7L),
            (body["id"]!.GetValue<string>(), body["name"]!.GetValue<string>(), body["price"]!.GetValue<decimal>(), body["deleted"]!.GetValue<bool>(), body["version"]!.GetValue<long>()));
        Assert.Equal(["SKU-1", "SKU-1-42", "SKU-1-43"], body["skus"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(document.CreatedAt, DateTimeOffset.Parse(body["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($$"""{"id":"{{document.Id}}","version":8,"deleted":true}""", Json(tombstone).ToJsonString());
    }

    [Fact]
    public void A_bulk_request_is_ndjson_with_one_externally_versioned_index_action_per_document()
    {
        var docs = SearchEngineContract.Corpus.Take(2).ToList();

        var lines = Client.RequestResponseSerializer.SerializeToString(ElasticsearchRequests.Bulk("products-2", docs))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

        Assert.Equal(4, lines.Count);
        var action = lines[0]["index"]!;
        Assert.Equal(("products-2", docs[0].Id.ToString(), 1L, "external"),
            (action["_index"]!.GetValue<string>(), action["_id"]!.GetValue<string>(), action["version"]!.GetValue<long>(), action["version_type"]!.GetValue<string>()));
        Assert.Equal(docs[1].Id.ToString(), lines[2]["index"]!["_id"]!.GetValue<string>());
        Assert.Equal((docs[0].Name, false), (lines[1]["name"]!.GetValue<string>(), lines[1]["deleted"]!.GetValue<bool>()));
        Assert.Equal(docs[1].Name, lines[3]["name"]!.GetValue<string>());
    }

    [Fact]
    public void The_alias_moves_in_one_call_removing_the_old_index_and_adding_the_new()
    {
        static IEnumerable<string> Actions(JsonNode body) => body["actions"]!.AsArray().Select(a =>
        {
            var action = a!.AsObject().Single();
            return $"{action.Key} {action.Value!["index"]!.GetValue<string>()} {action.Value["alias"]!.GetValue<string>()}";
        });

        Assert.Equal(["remove products-1 products", "add products-2 products"], Actions(Json(ElasticsearchRequests.SwapAlias("products", "products-1", "products-2"))));
        Assert.Equal(["add products-1 products"], Actions(Json(ElasticsearchRequests.SwapAlias("products", null, "products-1"))));
    }

    [Fact]
    public void A_search_response_becomes_hits_with_highlights_and_facets()
    {
        // As the server answers with typed_keys (the client asks for it): the aggregation's type prefixes its name.
        const string Response = """
            {"took":3,"timed_out":false,"hits":{"total":{"value":2,"relation":"eq"},"max_score":2.5,"hits":[
              {"_index":"products-1","_id":"00000000-0000-7000-8000-000000000002","_score":2.5,
               "_source":{"id":"00000000-0000-7000-8000-000000000002","sku":"SKU-2","name":"Northpeak Leather Boot","brand":"Northpeak","category":"shoes","price":149.0,"currency":"EUR","inStock":false},
               "highlight":{"name":["Northpeak Leather <em>Boot</em>"]}},
              {"_index":"products-1","_id":"00000000-0000-7000-8000-000000000009","_score":0.7,
               "_source":{"id":"00000000-0000-7000-8000-000000000009","sku":"SKU-9","name":"Trail Socks & more","brand":"Paperhouse","category":"socks","price":9,"currency":"EUR","inStock":true}}]},
             "aggregations":{
               "sterms#brand":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"Northpeak","doc_count":1},{"key":"Paperhouse","doc_count":1}]},
               "sterms#category":{"buckets":[{"key":"socks","doc_count":1},{"key":"shoes","doc_count":1}]},
               "range#price":{"buckets":[{"key":"0","from":0,"to":25,"doc_count":1},{"key":"1","from":25,"to":50,"doc_count":0},{"key":"3","from":100,"to":250,"doc_count":1}]}}}
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Response));
        var response = Client.RequestResponseSerializer.Deserialize<SearchResponse<ElasticsearchProduct>>(stream)!;

        var result = ElasticsearchRequests.ToResult(response, 3);

        Assert.Equal(2, result.Total);
        Assert.Equal(["SKU-2", "SKU-9"], result.Items.Select(h => h.Sku));
        Assert.Equal("Northpeak Leather <em>Boot</em>", result.Items[0].Highlight);
        Assert.Equal("Trail Socks &amp; more", result.Items[1].Highlight);
        Assert.Equal((149m, false, 2.5, "EUR"), (result.Items[0].Price, result.Items[0].InStock, result.Items[0].Score, result.Items[0].Currency));
        Assert.Equal(Guid.Parse("00000000-0000-7000-8000-000000000009"), result.Items[1].Id);
        Assert.Equal([("Northpeak", 1L), ("Paperhouse", 1L)], result.Facets.Brand.Select(f => (f.Value, f.Count)));
        Assert.Equal([("shoes", 1L), ("socks", 1L)], result.Facets.Category.Select(f => (f.Value, f.Count)));
        Assert.Equal([(0m, (decimal?)25m, 1L), (100m, 250m, 1L)], result.Facets.Price.Select(b => (b.From, b.To, b.Count)));
        Assert.Equal(3, result.TookMs);
    }

    private static IEnumerable<string> Includes(JsonNode source)
    {
        var includes = source is JsonObject o ? o["includes"]! : source;
        return includes is JsonArray array ? array.Select(i => i!.GetValue<string>()) : [includes.GetValue<string>()];
    }
}
