using System.Diagnostics;
using System.Net;
using System.Text;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Search.Api.Search;

namespace Search.Api.Engines.Lucene;

/// <summary>
/// The embedded engine: a Lucene.NET 4.8 index on this instance's disk. BM25 over boosted text fields, AND
/// across words, fuzzy matching when the exact words find nothing, doc-value facets, near-real-time refresh
/// after every write, commits every <see cref="LuceneOptions.CommitInterval"/>.
/// </summary>
public sealed partial class LuceneEngine : ISearchEngine, IDisposable
{
    private readonly LuceneOptions _options;
    private readonly ILogger<LuceneEngine> _logger;
    private readonly string _root;
    private readonly Analyzer _indexAnalyzer;
    private readonly Analyzer _queryAnalyzer = LuceneAnalyzers.Query();
    private readonly Analyzer _wordAnalyzer = LuceneAnalyzers.Words();
    private readonly SemaphoreSlim _write = new(1, 1);
    private LuceneGeneration? _live;
    private LuceneGeneration? _building;
    private Timer? _commits;
    private readonly Lock _disposing = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _retirements = [];
    private bool _disposed;

    public LuceneEngine(LuceneOptions options, Synonyms synonyms, IHostEnvironment environment, ILogger<LuceneEngine> logger)
    {
        _options = options;
        _logger = logger;
        _root = Path.IsPathRooted(options.Directory) ? options.Directory : Path.Combine(environment.ContentRootPath, options.Directory);
        _indexAnalyzer = LuceneAnalyzers.Index(LuceneAnalyzers.Synonyms(synonyms.Lines));
    }

    public string Name => "lucene";

    private LuceneGeneration Live => _live ?? throw new InvalidOperationException("The Lucene engine is not initialized.");

    public Task InitializeAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_root);
        var current = Path.Combine(_root, "current");
        var name = File.Exists(current) ? File.ReadAllText(current).Trim() : null;
        if (name is null)
        {
            name = NewGenerationName();
            File.WriteAllText(current, name);
        }

        _live = LuceneGeneration.Open(Path.Combine(_root, name), _indexAnalyzer, create: false);
        _commits = new Timer(_ => Commit(), null, _options.CommitInterval, _options.CommitInterval);
        LogOpened(_logger, _live.Path, _live.LiveVersions().Count);
        return Task.CompletedTask;
    }

    public Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct) => WriteAsync(g => g.Upsert(document), ct);

    public Task<bool> DeleteAsync(Guid id, long version, CancellationToken ct) => WriteAsync(g => g.Delete(id, version), ct);

    public async Task SetInStockAsync(Guid id, bool inStock, CancellationToken ct)
    {
        var current = Find(new TermQuery(new Term(LuceneFields.Id, id.ToString())));
        if (current is null || current.InStock == inStock) return;
        await WriteAsync(g =>
        {
            g.Replace(current with { InStock = inStock });
            return true;
        }, ct);
    }

    /// <summary>The flags that change, written under one lock and made visible by one refresh.</summary>
    public async Task SetInStockAsync(IReadOnlyDictionary<Guid, bool> flags, CancellationToken ct)
    {
        var changed = flags
            .Select(f => Find(new TermQuery(new Term(LuceneFields.Id, f.Key.ToString()))) is { } current && current.InStock != f.Value
                ? current with { InStock = f.Value }
                : null)
            .OfType<SearchDocument>().ToList();
        if (changed.Count == 0) return;
        await WriteAsync(g =>
        {
            foreach (var document in changed) g.Replace(document);
            return true;
        }, ct);
    }

    public Task<SearchDocument?> FindBySkuAsync(string sku, CancellationToken ct) =>
        Task.FromResult(Find(new TermQuery(new Term(LuceneFields.Skus, sku))));

    public Task<IReadOnlyDictionary<Guid, long>> VersionsAsync(CancellationToken ct) => Task.FromResult(Live.LiveVersions());

    public Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var generation = Live;
        var searcher = generation.Manager.Acquire();
        try
        {
            var terms = query.Text is null ? [] : LuceneAnalyzers.Tokens(_queryAnalyzer, LuceneFields.Name, query.Text).Select(t => t.Term).Distinct().ToList();
            // Text made only of stop words ("the") analyses to nothing: that is no match, never "every product".
            if (query.Text is not null && terms.Count == 0) return Task.FromResult(SearchResult.Empty with { TookMs = clock.Elapsed.TotalMilliseconds });
            var (total, hits, facets) = Run(searcher, query, terms, fuzzy: false);
            var fuzzy = total == 0 && terms.Count > 0;
            if (fuzzy)
            {
                // Typo tolerance: only when the exact words find nothing, so a correct word never ranks a near-miss above it.
                (total, hits, facets) = Run(searcher, query, terms, fuzzy: true);
            }

            var items = hits.Select(h =>
            {
                var doc = LuceneFields.FromDocument(searcher.Doc(h.Doc));
                return new SearchHit(doc.Id, doc.Sku, doc.Name, doc.Brand, doc.Category, doc.Price, doc.Currency, doc.InStock,
                    Highlight(doc.Name, terms, fuzzy), float.IsNaN(h.Score) ? 0 : h.Score);
            }).ToList();
            return Task.FromResult(new SearchResult(total, items, facets, clock.Elapsed.TotalMilliseconds,
                fuzzy ? DidYouMean.From(query.Text, items) : null));
        }
        finally
        {
            generation.Manager.Release(searcher);
        }
    }

    public Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct)
    {
        var words = LuceneAnalyzers.Tokens(_wordAnalyzer, LuceneFields.Suggest, prefix).Select(t => t.Term).ToList();
        if (words.Count == 0) return Task.FromResult<IReadOnlyList<string>>([]);

        var query = new BooleanQuery { { new TermQuery(new Term(LuceneFields.Live, "1")), Occur.MUST } };
        foreach (var word in words)
        {
            query.Add(new TermQuery(new Term(LuceneFields.Suggest, word.Length > 20 ? word[..20] : word)), Occur.MUST);
        }

        var generation = Live;
        var searcher = generation.Manager.Acquire();
        try
        {
            var top = searcher.Search(query, limit * 5);
            IReadOnlyList<string> names = top.ScoreDocs.Select(d => LuceneFields.FromDocument(searcher.Doc(d.Doc)).Name)
                .Distinct(StringComparer.Ordinal).Take(limit).ToList();
            return Task.FromResult(names);
        }
        finally
        {
            generation.Manager.Release(searcher);
        }
    }

    public async Task<IReindex> BeginReindexAsync(CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            if (_building is not null) throw new InvalidOperationException("A reindex is already running.");
            _building = LuceneGeneration.Open(Path.Combine(_root, NewGenerationName()), _indexAnalyzer, create: true);
            return new Reindex(this, _building);
        }
        finally
        {
            _write.Release();
        }
    }

    private (long Total, ScoreDoc[] Hits, SearchFacets Facets) Run(IndexSearcher searcher, SearchQuery q, List<string> terms, bool fuzzy)
    {
        var filter = new BooleanQuery { { new TermQuery(new Term(LuceneFields.Live, "1")), Occur.MUST } };
        if (q.Category is not null) filter.Add(new TermQuery(new Term(LuceneFields.CategoryFacet, q.Category)), Occur.MUST);
        if (q.Brand is not null) filter.Add(new TermQuery(new Term(LuceneFields.BrandFacet, q.Brand)), Occur.MUST);
        if (q.InStock is { } inStock) filter.Add(new TermQuery(new Term(LuceneFields.InStock, inStock ? "1" : "0")), Occur.MUST);
        if (q.MinPrice is not null || q.MaxPrice is not null)
        {
            filter.Add(NumericRangeQuery.NewInt64Range(LuceneFields.PriceCents,
                q.MinPrice is { } min ? LuceneFields.PriceToCents(min) : null, q.MaxPrice is { } max ? LuceneFields.PriceToCents(max) : null, true, true), Occur.MUST);
        }

        Query text = terms.Count == 0 ? new MatchAllDocsQuery() : TextQuery(terms, fuzzy);
        var query = new FilteredQuery(text, new QueryWrapperFilter(filter));

        var wanted = q.Page * q.PageSize;
        ITopDocsCollector top = q.Sort switch
        {
            "price" => TopFieldCollector.Create(new Sort(new SortField(LuceneFields.PriceCents, SortFieldType.INT64), SortField.FIELD_DOC), wanted, true, true, false, false),
            "-price" => TopFieldCollector.Create(new Sort(new SortField(LuceneFields.PriceCents, SortFieldType.INT64, true), SortField.FIELD_DOC), wanted, true, true, false, false),
            "newest" => TopFieldCollector.Create(new Sort(new SortField(LuceneFields.Created, SortFieldType.INT64, true), SortField.FIELD_DOC), wanted, true, true, false, false),
            _ => TopScoreDocCollector.Create(wanted, docsScoredInOrder: false),
        };
        var facets = new FacetCollector();
        searcher.Search(query, MultiCollector.Wrap((ICollector)top, facets));
        var docs = top.GetTopDocs((q.Page - 1) * q.PageSize, q.PageSize);
        return (top.TotalHits, docs.ScoreDocs, facets.Result());
    }

    /// <summary>Every word must match (in any field); a word matches in any field, weighted by the field's boost.</summary>
    private static BooleanQuery TextQuery(List<string> terms, bool fuzzy)
    {
        var all = new BooleanQuery();
        foreach (var term in terms)
        {
            var any = new BooleanQuery();
            foreach (var (field, boost) in LuceneFields.Text)
            {
                Query clause = fuzzy && term.Length >= 4
                    ? new FuzzyQuery(new Term(field, term), DidYouMean.MaxEdits(term), prefixLength: 1)
                    : new TermQuery(new Term(field, term));
                clause.Boost = boost;
                any.Add(clause, Occur.SHOULD);
            }

            all.Add(any, Occur.MUST);
        }

        return all;
    }


    /// <summary>The name, HTML-escaped, with the words that matched wrapped in &lt;em&gt;.</summary>
    private string Highlight(string name, List<string> terms, bool fuzzy)
    {
        if (terms.Count == 0) return WebUtility.HtmlEncode(name);
        var output = new StringBuilder();
        var at = 0;
        foreach (var (term, start, end) in LuceneAnalyzers.Tokens(_queryAnalyzer, LuceneFields.Name, name))
        {
            var matched = terms.Any(t => t == term || (fuzzy && t.Length >= 4 && DidYouMean.Distance(t, term) <= DidYouMean.MaxEdits(t)));
            if (!matched || start < at) continue;
            output.Append(WebUtility.HtmlEncode(name[at..start])).Append("<em>").Append(WebUtility.HtmlEncode(name[start..end])).Append("</em>");
            at = end;
        }

        return output.Append(WebUtility.HtmlEncode(name[at..])).ToString();
    }

    private SearchDocument? Find(Query query)
    {
        var generation = Live;
        var searcher = generation.Manager.Acquire();
        try
        {
            var live = new BooleanQuery { { query, Occur.MUST }, { new TermQuery(new Term(LuceneFields.Live, "1")), Occur.MUST } };
            var top = searcher.Search(live, 1);
            return top.TotalHits == 0 ? null : LuceneFields.FromDocument(searcher.Doc(top.ScoreDocs[0].Doc));
        }
        finally
        {
            generation.Manager.Release(searcher);
        }
    }

    /// <summary>Applies a write to the live index and to the one being rebuilt, then refreshes (visible to the next search).</summary>
    private async Task<bool> WriteAsync(Func<LuceneGeneration, bool> write, CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            var applied = write(Live);
            if (_building is not null) write(_building);
            Live.Refresh();
            return applied;
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Commits now (waiting for a write in progress); failures propagate, so nothing is acknowledged on a failed commit.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            if (_live?.Writer.HasUncommittedChanges() == true) _live.Writer.Commit();
        }
        finally
        {
            _write.Release();
        }
    }

    private void Commit()
    {
        if (!_write.Wait(0)) return; // busy: the next tick commits
        try
        {
            if (_live?.Writer.HasUncommittedChanges() == true) _live.Writer.Commit();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            LogCommitFailed(_logger, ex);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>
    /// Searches that acquired the old searcher finish on it; only after <see cref="LuceneOptions.RetireAfter"/> is it
    /// closed and deleted — or at once when the engine stops, which waits for it (nothing is written after Dispose).
    /// </summary>
    private void ScheduleRetirement(LuceneGeneration old)
    {
        var retirement = Task.Delay(_options.RetireAfter, _stopping.Token)
            .ContinueWith(_ => Retire(old), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        lock (_retirements)
        {
            _retirements.RemoveAll(t => t.IsCompleted);
            _retirements.Add(retirement);
        }
    }

    private void Retire(LuceneGeneration old)
    {
        try
        {
            old.Dispose();
            Directory.Delete(old.Path, recursive: true);
        }
        catch (IOException ex)
        {
            LogRetireFailed(_logger, old.Path, ex);
        }
    }

    private static string NewGenerationName() => $"index-{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}"[..32];

    public void Dispose()
    {
        // The host stops it, then the container disposes it; under WebApplicationFactory two stops can even run at
        // once. A second caller waits for the first to finish: it must never return while files are still written.
        lock (_disposing)
        {
            if (_disposed) return;
            _disposed = true;
            _commits?.Dispose();
            _stopping.Cancel();
            Task[] retirements;
            lock (_retirements) retirements = [.. _retirements];
            Task.WaitAll(retirements);
            _write.Wait();
            try
            {
                if (_live is not null)
                {
                    _live.Writer.Commit();
                    _live.Dispose();
                }

                _building?.Dispose();
            }
            finally
            {
                _write.Release();
            }
        }
    }

    private sealed class Reindex(LuceneEngine engine, LuceneGeneration target) : IReindex
    {
        private bool _swapped;

        public async Task AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct)
        {
            await engine._write.WaitAsync(ct);
            try
            {
                foreach (var document in documents) target.Upsert(document);
            }
            finally
            {
                engine._write.Release();
            }
        }

        public async Task SwapAsync(CancellationToken ct)
        {
            LuceneGeneration old;
            await engine._write.WaitAsync(ct);
            try
            {
                // A rebuilt index swapped in compact: few segments, and no merge storm competing with queries afterwards.
                target.Writer.ForceMerge(4);
                target.Writer.Commit();
                target.Refresh();
                old = engine.Live;
                engine._live = target;
                engine._building = null;
                File.WriteAllText(Path.Combine(engine._root, "current"), Path.GetFileName(target.Path));
                _swapped = true;
            }
            finally
            {
                engine._write.Release();
            }

            LogSwapped(engine._logger, target.Path, target.LiveVersions().Count);
            engine.ScheduleRetirement(old);
        }

        public async ValueTask DisposeAsync()
        {
            if (_swapped) return;
            await engine._write.WaitAsync();
            try
            {
                engine._building = null;
                target.Dispose();
                Directory.Delete(target.Path, recursive: true);
            }
            finally
            {
                engine._write.Release();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lucene index {Path} open with {Count} products")]
    private static partial void LogOpened(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lucene index {Path} swapped in with {Count} products")]
    private static partial void LogSwapped(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retiring the replaced Lucene index {Path} failed; its files stay on disk")]
    private static partial void LogRetireFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing the Lucene index failed; the next tick retries")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception);
}
