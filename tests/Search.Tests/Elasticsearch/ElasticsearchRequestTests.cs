using System.Text.Json.Nodes;
using Search.Api.Engines.Elasticsearch;

namespace Search.Tests.Elasticsearch;

/// <summary>The Elasticsearch engine's requests and response parsing, checked without a server.</summary>
public sealed class ElasticsearchRequestTests
{
    private static readonly Synonyms TestSynonyms = new(["sneaker, trainer, runner"]);

    private static SearchQuery Query(string? text = null, string? category = null, string? brand = null, decimal? min = null, decimal? max = null,
        bool? inStock = null, string sort = "relevance", int page = 1, int pageSize = 20) =>
        new(text, category, brand, min, max, inStock, sort, page, pageSize);

    [Fact]
    public void A_text_query_ands_the_words_over_boosted_fields_with_every_filter_the_page_and_the_aggregations()
    {
        var body = ElasticsearchRequests.Search(Query("red shoe", category: "shoes", brand: "Velo", min: 10m, max: 99.5m, inStock: true, page: 3, pageSize: 10), fuzzy: false);

        var match = body["query"]!["bool"]!["must"]![0]!["multi_match"]!;
        Assert.Equal("red shoe", match["query"]!.GetValue<string>());
        Assert.Equal(["name^3", "brand^2", "category^1.5", "description^1", "attributesText^1"], match["fields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("and", match["operator"]!.GetValue<string>());
        Assert.Null(match["fuzziness"]);
        Assert.Equal("""[{"term":{"deleted":false}},{"term":{"category.keyword":"shoes"}},{"term":{"brand.keyword":"Velo"}},{"term":{"inStock":true}},{"range":{"price":{"gte":10,"lte":99.5}}}]""",
            body["query"]!["bool"]!["filter"]!.ToJsonString());
        Assert.Equal((20, 10), (body["from"]!.GetValue<int>(), body["size"]!.GetValue<int>()));
        Assert.Equal("""[{"_score":{"order":"desc"}},{"id":{"order":"asc"}}]""", body["sort"]!.ToJsonString());
        Assert.Equal("brand.keyword", body["aggs"]!["brand"]!["terms"]!["field"]!.GetValue<string>());
        Assert.Equal(20, body["aggs"]!["category"]!["terms"]!["size"]!.GetValue<int>());
        Assert.Equal("""[{"key":"0","from":0,"to":25},{"key":"1","from":25,"to":50},{"key":"2","from":50,"to":100},{"key":"3","from":100,"to":250},{"key":"4","from":250,"to":500},{"key":"5","from":500,"to":1000},{"key":"6","from":1000}]""",
            body["aggs"]!["price"]!["range"]!["ranges"]!.ToJsonString());
        Assert.Equal(("<em>", "</em>", "html"), (body["highlight"]!["pre_tags"]![0]!.GetValue<string>(), body["highlight"]!["post_tags"]![0]!.GetValue<string>(),
            body["highlight"]!["encoder"]!.GetValue<string>()));
    }

    [Fact]
    public void The_typo_request_is_fuzzy_and_an_empty_text_matches_everything_filtered()
    {
        var fuzzy = ElasticsearchRequests.Search(Query("headphnes"), fuzzy: true)["query"]!["bool"]!["must"]![0]!["multi_match"]!;
        var all = ElasticsearchRequests.Search(Query(category: "shoes"), fuzzy: false)["query"]!["bool"]!;

        Assert.Equal(("AUTO", "best_fields", 1), (fuzzy["fuzziness"]!.GetValue<string>(), fuzzy["type"]!.GetValue<string>(), fuzzy["prefix_length"]!.GetValue<int>()));
        Assert.Null(all["must"]);
        Assert.Equal(2, all["filter"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("price", """[{"price":{"order":"asc"}},{"id":{"order":"asc"}}]""")]
    [InlineData("-price", """[{"price":{"order":"desc"}},{"id":{"order":"desc"}}]""")]
    [InlineData("newest", """[{"createdAt":{"order":"desc"}},{"id":{"order":"desc"}}]""")]
    public void Each_sort_breaks_ties_by_id(string sort, string expected)
    {
        Assert.Equal(expected, ElasticsearchRequests.Search(Query(sort: sort), fuzzy: false)["sort"]!.ToJsonString());
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
        var body = ElasticsearchRequests.Search(Query(text), fuzzy: false);

        Assert.Equal(text, body["query"]!["bool"]!["must"]![0]!["multi_match"]!["query"]!.GetValue<string>());
        Assert.DoesNotContain("query_string", body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(text, ElasticsearchRequests.Suggest(text, 10)["query"]!["bool"]!["must"]![0]!["match"]!["name.suggest"]!["query"]!.GetValue<string>());
    }

    [Fact]
    public void The_index_maps_every_field_strictly_with_english_analysis_synonyms_at_query_time_and_edge_ngrams_for_suggest()
    {
        var body = ElasticsearchRequests.CreateIndex(TestSynonyms);
        var properties = body["mappings"]!["properties"]!;
        var analysis = body["settings"]!["analysis"]!;

        Assert.Equal("strict", body["mappings"]!["dynamic"]!.GetValue<string>());
        Assert.Equal(["sneaker, trainer, runner"], analysis["filter"]!["product_synonyms"]!["synonyms"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("synonym_graph", analysis["filter"]!["product_synonyms"]!["type"]!.GetValue<string>());
        Assert.Contains("product_synonyms", analysis["analyzer"]!["product_search"]!["filter"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.DoesNotContain("product_synonyms", analysis["analyzer"]!["product_text"]!["filter"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("edge_ngram", properties["name"]!["fields"]!["suggest"]!["analyzer"]!.GetValue<string>());
        Assert.Equal("keyword", properties["brand"]!["fields"]!["keyword"]!["type"]!.GetValue<string>());
        Assert.Equal(("scaled_float", 100), (properties["price"]!["type"]!.GetValue<string>(), properties["price"]!["scaling_factor"]!.GetValue<int>()));
        Assert.Equal(["id", "sku", "skus", "name", "brand", "category", "description", "attributesText", "price", "currency", "inStock", "createdAt", "version", "deleted"],
            properties.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Writes_use_external_versions_and_stock_rewrites_may_keep_the_version()
    {
        var id = Guid.Parse("0193a000-0000-7000-8000-000000000001");

        Assert.Equal("/products/_doc/0193a000-0000-7000-8000-000000000001?version=7&version_type=external&refresh=true",
            ElasticsearchRequests.DocumentUrl("products", id, 7));
        Assert.Equal("/products/_doc/0193a000-0000-7000-8000-000000000001?version=7&version_type=external_gte&refresh=true",
            ElasticsearchRequests.DocumentUrl("products", id, 7, sameVersionAllowed: true));
        Assert.Equal("""{"id":"0193a000-0000-7000-8000-000000000001","version":8,"deleted":true}""", ElasticsearchRequests.Tombstone(id, 8).ToJsonString());
    }

    [Fact]
    public void A_bulk_body_is_ndjson_with_one_versioned_action_per_document()
    {
        var docs = SearchEngineContract.Corpus.Take(2).ToList();

        var lines = ElasticsearchRequests.Bulk("products-2", docs).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        Assert.Equal("{\"index\":{\"_index\":\"products-2\",\"_id\":\"" + docs[0].Id + "\",\"version\":1,\"version_type\":\"external\"}}", lines[0]);
        Assert.Equal(docs[1].Name, JsonNode.Parse(lines[3])!["name"]!.GetValue<string>());
        Assert.False(JsonNode.Parse(lines[1])!["deleted"]!.GetValue<bool>());
    }

    [Fact]
    public void The_alias_moves_in_one_call_removing_the_old_index_and_adding_the_new()
    {
        Assert.Equal("""{"actions":[{"remove":{"index":"products-1","alias":"products"}},{"add":{"index":"products-2","alias":"products"}}]}""",
            ElasticsearchRequests.SwapAlias("products", "products-1", "products-2").ToJsonString());
        Assert.Equal("""{"actions":[{"add":{"index":"products-1","alias":"products"}}]}""", ElasticsearchRequests.SwapAlias("products", null, "products-1").ToJsonString());
    }

    [Fact]
    public void A_search_response_becomes_hits_with_highlights_and_facets()
    {
        var response = JsonNode.Parse("""
            {"took":3,"hits":{"total":{"value":2,"relation":"eq"},"max_score":2.5,"hits":[
              {"_index":"products-1","_id":"00000000-0000-7000-8000-000000000002","_score":2.5,
               "_source":{"id":"00000000-0000-7000-8000-000000000002","sku":"SKU-2","name":"Northpeak Leather Boot","brand":"Northpeak","category":"shoes","price":149.0,"currency":"EUR","inStock":false},
               "highlight":{"name":["Northpeak Leather <em>Boot</em>"]}},
              {"_index":"products-1","_id":"00000000-0000-7000-8000-000000000009","_score":0.7,
               "_source":{"id":"00000000-0000-7000-8000-000000000009","sku":"SKU-9","name":"Trail Socks & more","brand":"Paperhouse","category":"socks","price":9,"currency":"EUR","inStock":true}}]},
             "aggregations":{
               "brand":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"Northpeak","doc_count":1},{"key":"Paperhouse","doc_count":1}]},
               "category":{"buckets":[{"key":"shoes","doc_count":1},{"key":"socks","doc_count":1}]},
               "price":{"buckets":[{"key":"0","from":0,"to":25,"doc_count":1},{"key":"1","from":25,"to":50,"doc_count":0},{"key":"3","from":100,"to":250,"doc_count":1}]}}}
            """)!;

        var result = ElasticsearchRequests.ParseSearch(response, 3);

        Assert.Equal(2, result.Total);
        Assert.Equal(["SKU-2", "SKU-9"], result.Items.Select(h => h.Sku));
        Assert.Equal("Northpeak Leather <em>Boot</em>", result.Items[0].Highlight);
        Assert.Equal("Trail Socks &amp; more", result.Items[1].Highlight);
        Assert.Equal((149m, false, 2.5), (result.Items[0].Price, result.Items[0].InStock, result.Items[0].Score));
        Assert.Equal([("Northpeak", 1L), ("Paperhouse", 1L)], result.Facets.Brand.Select(f => (f.Value, f.Count)));
        Assert.Equal([(0m, (decimal?)25m, 1L), (100m, 250m, 1L)], result.Facets.Price.Select(b => (b.From, b.To, b.Count)));
    }
}
