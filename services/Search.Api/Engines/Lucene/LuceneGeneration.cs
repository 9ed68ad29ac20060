using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Search.Api.Search;

namespace Search.Api.Engines.Lucene;

/// <summary>
/// One index on disk with its writer, near-real-time searcher manager and the version of every product it
/// holds (tombstones included). Not thread-safe for writes: the engine serialises them.
/// </summary>
internal sealed class LuceneGeneration : IDisposable
{
    private readonly Dictionary<Guid, (long Version, bool Live)> _versions = [];

    private LuceneGeneration(string path, FSDirectory directory, IndexWriter writer)
    {
        Path = path;
        Directory = directory;
        Writer = writer;
        Manager = new SearcherManager(writer, applyAllDeletes: true, new Bm25SearcherFactory());
    }

    public string Path { get; }
    public FSDirectory Directory { get; }
    public IndexWriter Writer { get; }
    public SearcherManager Manager { get; }

    public static LuceneGeneration Open(string path, Analyzer indexAnalyzer, bool create)
    {
        System.IO.Directory.CreateDirectory(path);
        var directory = FSDirectory.Open(path);
        var analyzer = new PerFieldAnalyzerWrapper(indexAnalyzer, new Dictionary<string, Analyzer>
        {
            [LuceneFields.Suggest] = LuceneAnalyzers.EdgeNGrams(),
        });
        var config = new IndexWriterConfig(LuceneAnalyzers.Version, analyzer)
        {
            OpenMode = create ? OpenMode.CREATE : OpenMode.CREATE_OR_APPEND,
            Similarity = new BM25Similarity(),
            RAMBufferSizeMB = 64,
        };
        var generation = new LuceneGeneration(path, directory, new IndexWriter(directory, config));
        generation.LoadVersions();
        return generation;
    }

    public bool Holds(Guid id, long version) => _versions.TryGetValue(id, out var held) && held.Version >= version;

    public bool IsLive(Guid id) => _versions.TryGetValue(id, out var held) && held.Live;

    public IReadOnlyDictionary<Guid, long> LiveVersions() => _versions.Where(kv => kv.Value.Live).ToDictionary(kv => kv.Key, kv => kv.Value.Version);

    public bool Upsert(SearchDocument document)
    {
        if (Holds(document.Id, document.Version)) return false;
        // _versions knows every id in this index (tombstones too): a new one has nothing to replace, and a plain add
        // spares the buffered delete that every update costs at flush (most of a rebuild's writes are new ids).
        if (_versions.ContainsKey(document.Id)) Writer.UpdateDocument(new Term(LuceneFields.Id, document.Id.ToString()), LuceneFields.ToDocument(document));
        else Writer.AddDocument(LuceneFields.ToDocument(document));
        _versions[document.Id] = (document.Version, true);
        return true;
    }

    /// <summary>Rewrites a live product as given, whatever its version (stock changes do not bump it).</summary>
    public void Replace(SearchDocument document)
    {
        if (!IsLive(document.Id)) return;
        Writer.UpdateDocument(new Term(LuceneFields.Id, document.Id.ToString()), LuceneFields.ToDocument(document));
    }

    public bool Delete(Guid id, long version)
    {
        if (Holds(id, version)) return false;
        Writer.UpdateDocument(new Term(LuceneFields.Id, id.ToString()), LuceneFields.Tombstone(id, version));
        _versions[id] = (version, false);
        return true;
    }

    /// <summary>Makes the writes so far visible to new searches (near-real-time: no commit needed).</summary>
    public void Refresh() => Manager.MaybeRefreshBlocking();

    private void LoadVersions()
    {
        using var reader = DirectoryReader.Open(Writer, applyAllDeletes: true);
        foreach (var leaf in reader.Leaves)
        {
            var segment = leaf.AtomicReader;
            var liveDocs = segment.LiveDocs;
            for (var doc = 0; doc < segment.MaxDoc; doc++)
            {
                if (liveDocs is not null && !liveDocs.Get(doc)) continue;
                var stored = segment.Document(doc);
                _versions[Guid.Parse(stored.Get(LuceneFields.Id))] = (stored.GetField(LuceneFields.Version).GetInt64Value() ?? 0, stored.Get(LuceneFields.Live) != "0");
            }
        }
    }

    public void Dispose()
    {
        Manager.Dispose();
        Writer.Dispose();
        Directory.Dispose();
    }

    private sealed class Bm25SearcherFactory : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = new BM25Similarity() };
    }
}
