using System.Globalization;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Clients.Elasticsearch.Analysis;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.Mapping;
using Elastic.Clients.Elasticsearch.QueryDsl;
using Search.Api.Search;

namespace Search.Api.Engines.Elasticsearch;

/// <summary>
/// Every request the Elasticsearch engine sends, as the client's typed requests built by pure functions (unit-tested
/// by serializing them with the client's serializer, without a server), and the reading of search responses. User text
/// only ever becomes the string value of a <c>multi_match</c> or <c>match</c> query — never <c>query_string</c> syntax.
/// </summary>
public static class ElasticsearchRequests
{
    private static readonly Field[] TextFields = [new("name", 3), new("brand", 2), new("category", 1.5), new("description", 1), new("attributesText", 1)];

    public static CreateIndexRequest CreateIndex(string index, Synonyms synonyms)
    {
        var tokenFilters = new TokenFilters
        {
            ["english_stop"] = new StopTokenFilter { Stopwords = StopWordLanguage.English },
            ["english_stemmer"] = new StemmerTokenFilter { Language = "english" },
            ["edge"] = new EdgeNGramTokenFilter { MinGram = 1, MaxGram = 20 },
        };
        List<string> search = ["lowercase", "asciifolding"];
        if (synonyms.Lines.Count > 0)
        {
            tokenFilters["product_synonyms"] = new SynonymGraphTokenFilter { Synonyms = [.. synonyms.Lines] };
            search.Add("product_synonyms");
        }

        search.AddRange(["english_stop", "english_stemmer"]);
        var analyzers = new Analyzers
        {
            ["product_text"] = new CustomAnalyzer { Tokenizer = "standard", Filter = ["lowercase", "asciifolding", "english_stop", "english_stemmer"] },
            // Synonyms at query time (synonym_graph must be a search analyzer): changing them needs no reindex here.
            ["product_search"] = new CustomAnalyzer { Tokenizer = "standard", Filter = search },
            ["edge_ngram"] = new CustomAnalyzer { Tokenizer = "standard", Filter = ["lowercase", "asciifolding", "edge"] },
            ["words"] = new CustomAnalyzer { Tokenizer = "standard", Filter = ["lowercase", "asciifolding"] },
        };

        static TextProperty Text(Properties? fields = null) => new() { Analyzer = "product_text", SearchAnalyzer = "product_search", Fields = fields };
        return new CreateIndexRequest(index)
        {
            Settings = new IndexSettings { NumberOfShards = 1, Analysis = new IndexSettingsAnalysis { TokenFilters = tokenFilters, Analyzers = analyzers } },
            Mappings = new TypeMapping
            {
                Dynamic = DynamicMapping.Strict,
                Properties = new Properties
                {
                    ["id"] = new KeywordProperty(),
                    ["sku"] = new KeywordProperty(),
                    ["skus"] = new KeywordProperty(),
                    ["name"] = Text(new Properties
                    {
                        ["suggest"] = new TextProperty { Analyzer = "edge_ngram", SearchAnalyzer = "words" },
                        ["raw"] = new KeywordProperty(),
                    }),
                    ["brand"] = Text(new Properties { ["keyword"] = new KeywordProperty() }),
                    ["category"] = Text(new Properties { ["keyword"] = new KeywordProperty() }),
                    ["description"] = Text(),
                    ["attributesText"] = Text(),
                    ["price"] = new ScaledFloatNumberProperty { ScalingFactor = 100 },
                    ["currency"] = new KeywordProperty(),
                    ["inStock"] = new BooleanProperty(),
                    ["createdAt"] = new DateProperty(),
                    ["version"] = new LongNumberProperty(),
                    ["deleted"] = new BooleanProperty(),
                },
            },
        };
    }

    /// <summary>
    /// A write with external versioning: Elasticsearch refuses (409) a version not greater than the stored one, which is
    /// exactly "an older or equal version never wins". Stock rewrites use <c>external_gte</c> (the same version).
    /// </summary>
    public static IndexRequest<ElasticsearchProduct> Index(string index, ElasticsearchProduct source, bool sameVersionAllowed = false) =>
        new(source, index, source.Id)
        {
            Version = source.Version,
            VersionType = sameVersionAllowed ? VersionType.ExternalGte : VersionType.External,
            Refresh = Refresh.True,
        };

    /// <summary>One bulk request: index actions with external versions (an item refused with 409 is a newer live write, kept).</summary>
    public static BulkRequest Bulk(string index, IEnumerable<SearchDocument> documents)
    {
        var operations = new BulkOperationsCollection();
        foreach (var d in documents)
        {
            operations.Add(new BulkIndexOperation<ElasticsearchProduct>(ElasticsearchProduct.From(d), index)
            {
                Id = d.Id.ToString(), Version = d.Version, VersionType = VersionType.External,
            });
        }

        return new BulkRequest { Operations = operations };
    }

    /// <summary>The search: words AND-ed over boosted fields (fuzzy when <paramref name="fuzzy"/>), filters, sort, page, aggregations, highlight.</summary>
    public static SearchRequest Search(string alias, SearchQuery q, bool fuzzy)
    {
        List<Query> filters = [Live];
        if (q.Category is not null) filters.Add(new TermQuery("category.keyword", q.Category));
        if (q.Brand is not null) filters.Add(new TermQuery("brand.keyword", q.Brand));
        if (q.InStock is { } inStock) filters.Add(new TermQuery("inStock", inStock));
        if (q.MinPrice is not null || q.MaxPrice is not null)
        {
            filters.Add(new NumberRangeQuery("price") { Gte = (double?)q.MinPrice, Lte = (double?)q.MaxPrice });
        }

        var query = new BoolQuery { Filter = filters };
        if (q.Text is { } text)
        {
            query.Must =
            [
                // cross_fields does not take fuzziness; best_fields does. Fuzzy is only asked when the exact words found nothing.
                fuzzy
                    ? new MultiMatchQuery(text) { Fields = TextFields, Type = TextQueryType.BestFields, Operator = Operator.And, Fuzziness = "AUTO", PrefixLength = 1 }
                    : new MultiMatchQuery(text) { Fields = TextFields, Type = TextQueryType.CrossFields, Operator = Operator.And },
            ];
        }

        var edges = PriceBuckets.Edges;
        return new SearchRequest(alias)
        {
            Query = query,
            From = (q.Page - 1) * q.PageSize,
            Size = q.PageSize,
            TrackTotalHits = true,
            Sort = q.Sort switch
            {
                "price" => [Sort("price", SortOrder.Asc), Sort("id", SortOrder.Asc)],
                "-price" => [Sort("price", SortOrder.Desc), Sort("id", SortOrder.Desc)],
                "newest" => [Sort("createdAt", SortOrder.Desc), Sort("id", SortOrder.Desc)],
                _ => [new SortOptions { Score = new ScoreSort { Order = SortOrder.Desc } }, Sort("id", SortOrder.Asc)],
            },
            Aggregations = new Dictionary<string, Aggregation>
            {
                ["brand"] = new TermsAggregation { Field = "brand.keyword", Size = 20 },
                ["category"] = new TermsAggregation { Field = "category.keyword", Size = 20 },
                ["price"] = new RangeAggregation
                {
                    Field = "price",
                    Ranges = edges.Select((from, i) => new AggregationRange
                    {
                        Key = i.ToString(CultureInfo.InvariantCulture), From = (double)from, To = i + 1 < edges.Length ? (double)edges[i + 1] : null,
                    }).ToList(),
                },
            },
            Highlight = new Highlight
            {
                PreTags = ["<em>"], PostTags = ["</em>"], Encoder = HighlighterEncoder.Html,
                Fields = [new KeyValuePair<Field, HighlightField>("name", new HighlightField { NumberOfFragments = 0 })],
            },
        };
    }

    public static SearchRequest Suggest(string alias, string prefix, int limit) => new(alias)
    {
        Size = limit * 5,
        Source = new SourceFilter { Includes = "name" },
        Query = new BoolQuery { Must = [new MatchQuery("name.suggest", prefix) { Operator = Operator.And }], Filter = [Live] },
    };

    public static SearchRequest BySku(string alias, string sku) => new(alias)
    {
        Size = 1,
        Query = new BoolQuery { Filter = [new TermQuery("skus", sku), Live] },
    };

    /// <summary>One page of live ids and versions, in id order after <paramref name="after"/>.</summary>
    public static SearchRequest Versions(string alias, string? after, int size) => new(alias)
    {
        Size = size,
        Source = new SourceFilter { Includes = new[] { "id", "version" } },
        Query = Live,
        Sort = [Sort("id", SortOrder.Asc)],
        SearchAfter = after is null ? null : [after],
    };

    /// <summary>Moves the alias in one atomic call: no moment without an index behind it.</summary>
    public static UpdateAliasesRequest SwapAlias(string alias, string? oldIndex, string newIndex)
    {
        List<IndexUpdateAliasesAction> actions = [];
        if (oldIndex is not null) actions.Add(new RemoveAction { Index = oldIndex, Alias = alias });
        actions.Add(new AddAction { Index = newIndex, Alias = alias });
        return new UpdateAliasesRequest { Actions = actions };
    }

    public static SearchResult ToResult(SearchResponse<ElasticsearchProduct> response, double tookMs)
    {
        var items = response.Hits.Select(h =>
        {
            var source = h.Source!;
            var highlight = h.Highlight?.GetValueOrDefault("name")?.FirstOrDefault() ?? System.Net.WebUtility.HtmlEncode(source.Name);
            return new SearchHit(Guid.Parse(source.Id), source.Sku!, source.Name!, source.Brand!, source.Category!, source.Price ?? 0, source.Currency!,
                source.InStock ?? false, highlight!, h.Score ?? 0);
        }).ToList();
        var aggregations = response.Aggregations!;
        IEnumerable<FacetValue> Terms(string name) =>
            aggregations.GetStringTerms(name)!.Buckets.Select(b => new FacetValue(b.Key.ToString()!, b.DocCount));
        var counts = new long[PriceBuckets.Edges.Length];
        foreach (var bucket in aggregations.GetRange("price")!.Buckets)
        {
            counts[int.Parse(bucket.Key!, CultureInfo.InvariantCulture)] = bucket.DocCount;
        }

        return new SearchResult(response.Total, items,
            new SearchFacets(PriceBuckets.Top(Terms("brand")), PriceBuckets.Top(Terms("category")), PriceBuckets.ToBuckets(counts)), tookMs);
    }

    /// <summary>Tombstones stay in the index (they hold the version of a delete); every read leaves them out.</summary>
    private static TermQuery Live => new("deleted", false);

    private static SortOptions Sort(string field, SortOrder order) => new FieldSort(field) { Order = order };
}
