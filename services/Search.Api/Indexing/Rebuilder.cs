using System.Threading.Channels;
using Ecommerce.Messaging.ReadModels;
using Ecommerce.Clients;
using Ecommerce.Contracts.Events;
using Search.Api.Search;

namespace Search.Api.Indexing;

public sealed record ReindexStatus(string State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long Indexed, string? Error);

public sealed record ReconcileReport(long CatalogProducts, long Indexed, long Missing, long Outdated, long Extra, double Milliseconds);

/// <summary>
/// Rebuilds the index from the catalog (into a fresh index, swapped in at the end: queries never fail) and
/// reconciles drift (missing, outdated or extra products — events lost to a crash, a seeded catalog, a bug).
/// One operation at a time per instance.
/// </summary>
public sealed partial class Rebuilder(ISearchEngine engine, CatalogFeed catalog, IInventoryClient inventory, StockBook stock, SearchIndexer indexer,
    TimeProvider time, ILogger<Rebuilder> logger) : IDisposable
{
    private readonly SemaphoreSlim _running = new(1, 1);
    private ReindexStatus _status = new("idle", null, null, 0, null);

    public ReindexStatus Status => _status;

    public void Dispose() => _running.Dispose();

    /// <summary>Starts a reindex in the background; false when one is already running.</summary>
    public bool TryStartReindex()
    {
        if (!_running.Wait(0)) return false;
        _status = new ReindexStatus("running", time.GetUtcNow(), null, 0, null);
        _ = Task.Run(async () =>
        {
            try
            {
                await ReindexAsync(CancellationToken.None);
            }
            finally
            {
                _running.Release();
            }
        });
        return true;
    }

    /// <summary>
    /// Catalog pages read ahead of the index: enough to keep the index busy while the catalog and inventory answer,
    /// few enough to bound memory (a page is 100 products).
    /// </summary>
    private const int PagesAhead = 4;

    /// <summary>Inventory lookups in flight at once (of one page, or of pages read ahead): overlaps their latency, caps ordering's load.</summary>
    private const int StockLookupsInFlight = 4;

    /// <summary>
    /// A pipeline, because every step is a network round trip: the catalog is read one keyset page after another
    /// (each cursor comes from the page before), each page's stock lookups start as soon as it arrives, and the index
    /// adds pages in catalog order while the next ones are still being read and looked up. A bounded channel of
    /// pending pages keeps at most <see cref="PagesAhead"/> of them in memory. The first failure fails the whole
    /// reindex: the new index is discarded (never swapped in) and what is still in flight is cancelled and awaited,
    /// so nothing of it runs on after the status says failed.
    /// </summary>
    private async Task ReindexAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stages = new StageTimes();
        try
        {
            await using var target = await engine.BeginReindexAsync(ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var lookups = new SemaphoreSlim(StockLookupsInFlight);
            var pending = Channel.CreateBounded<Task<PageDocuments>>(new BoundedChannelOptions(PagesAhead) { SingleReader = true, SingleWriter = true });
            var reading = ReadAheadAsync(pending.Writer, lookups, stages, stop.Token);
            long count = 0;
            var adding = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // In catalog order. A page's lookups may finish before those of the page before it; it then waits its turn.
                await foreach (var next in pending.Reader.ReadAllAsync(ct))
                {
                    var page = await next;
                    await Timed(() => target.AddAsync(page.Documents, ct), stages, Stage.Index);
                    count += page.Count;
                    _status = _status with { Indexed = count };
                }
            }
            finally
            {
                stages.Add(Stage.Waiting, System.Diagnostics.Stopwatch.GetTimestamp() - adding - stages.Ticks(Stage.Index));
                // On success everything has been read already. On a failure: stop the read-ahead and wait until nothing of
                // it runs any more; the pages it still held fail with the cancellation (or their own error): the first
                // failure, thrown above, is the one reported.
                await stop.CancelAsync();
                await reading;
                while (pending.Reader.TryRead(out var abandoned))
                {
                    await Task.WhenAny(abandoned);
                    _ = abandoned.Exception; // observed
                }
            }

            await Timed(() => target.SwapAsync(ct), stages, Stage.Swap);
            _status = _status with { State = "done", FinishedAt = time.GetUtcNow() };
            LogReindexed(logger, count, clock.ElapsedMilliseconds, engine.Name);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A background job: the failure is recorded in the status (GET /api/search/reindex) and logged.
            _status = _status with { State = "failed", FinishedAt = time.GetUtcNow(), Error = ex.Message };
            LogReindexFailed(logger, ex);
        }
        finally
        {
            LogStages(logger, stages.Milliseconds(Stage.Catalog), stages.Milliseconds(Stage.Inventory), stages.Milliseconds(Stage.StockBook),
                stages.Milliseconds(Stage.Index), stages.Milliseconds(Stage.Waiting), stages.Milliseconds(Stage.Swap), clock.ElapsedMilliseconds);
        }
    }

    /// <summary>
    /// Reads catalog pages in order and starts each one's stock lookups as it goes into the channel; the channel ends
    /// with the catalog's failure, if any, after the pages read before it.
    /// </summary>
    private async Task ReadAheadAsync(ChannelWriter<Task<PageDocuments>> pending, SemaphoreSlim lookups, StageTimes stages, CancellationToken ct)
    {
        try
        {
            var pages = catalog.PagesAsync(ct).GetAsyncEnumerator(ct);
            await using (pages)
            {
                while (await Timed(() => pages.MoveNextAsync().AsTask(), stages, Stage.Catalog))
                {
                    // Room first, then the lookups start: a started page is always in the channel, so none is left running unseen.
                    if (!await pending.WaitToWriteAsync(ct)) return;
                    pending.TryWrite(DocumentsAsync(pages.Current, lookups, stages, ct));
                }
            }

            pending.TryComplete();
        }
        catch (Exception ex)
        {
            // The index stage throws it, after the pages read before it.
            pending.TryComplete(ex);
        }
    }

    /// <summary>Compares the index with the catalog and repairs every difference. Waits for a running reindex.</summary>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var lookups = new SemaphoreSlim(StockLookupsInFlight);
            var indexed = await engine.VersionsAsync(ct);
            var seen = new HashSet<Guid>();
            long catalogCount = 0, missing = 0, outdated = 0, extra = 0;
            await foreach (var page in catalog.PagesAsync(ct))
            {
                catalogCount += page.Count;
                var stale = new List<ProductSnapshot>();
                foreach (var product in page)
                {
                    seen.Add(product.Id);
                    if (!indexed.TryGetValue(product.Id, out var version)) missing++;
                    else if (version < product.Version) outdated++;
                    else continue;
                    stale.Add(product);
                }

                if (stale.Count > 0)
                {
                    await RefreshStockAsync(stale, lookups, stages: null, ct);
                    foreach (var product in stale) await indexer.ApplyAsync(product, ct);
                }
            }

            foreach (var (id, version) in indexed.Where(kv => !seen.Contains(kv.Key)))
            {
                // Gone from the catalog's active set without an event reaching us: remove, one version later.
                await engine.DeleteAsync(id, version + 1, ct);
                extra++;
            }

            var report = new ReconcileReport(catalogCount, indexed.Count, missing, outdated, extra, clock.Elapsed.TotalMilliseconds);
            LogReconciled(logger, catalogCount, missing, outdated, extra);
            return report;
        }
        finally
        {
            _running.Release();
        }
    }

    private sealed record PageDocuments(int Count, List<SearchDocument> Documents);

    private async Task<PageDocuments> DocumentsAsync(IReadOnlyList<ProductSnapshot> page, SemaphoreSlim lookups, StageTimes stages, CancellationToken ct)
    {
        var available = await RefreshStockAsync(page, lookups, stages, ct);
        return new PageDocuments(page.Count, page.Where(p => p.Status == "active").Select(p =>
        {
            var document = SearchDocument.From(p, inStock: false);
            return document with { InStock = document.Skus.Any(s => available.GetValueOrDefault(s) > 0) };
        }).ToList());
    }

    /// <summary>
    /// Current availability of the products' skus from inventory (chunks of 100, the lookup's limit, at most
    /// <paramref name="lookups"/> at once), also written to the stock book.
    /// </summary>
    private async Task<Dictionary<string, int>> RefreshStockAsync(IReadOnlyList<ProductSnapshot> products, SemaphoreSlim lookups, StageTimes? stages,
        CancellationToken ct)
    {
        var skus = products.SelectMany(p => p.Variants.Select(v => v.Sku).Prepend(p.Sku)).Distinct().ToList();
        var chunks = await Task.WhenAll(skus.Chunk(100).Select(async chunk =>
        {
            await lookups.WaitAsync(ct);
            try
            {
                return await Timed(() => inventory.GetAvailableAsync(chunk, ct), stages, Stage.Inventory);
            }
            finally
            {
                lookups.Release();
            }
        }));
        var available = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (sku, units) in chunks.SelectMany(c => c)) available[sku] = units;
        await Timed(() => stock.SetManyAsync(available), stages, Stage.StockBook);
        return available;
    }

    private enum Stage { Catalog, Inventory, StockBook, Index, Waiting, Swap }

    /// <summary>
    /// Time spent per stage, summed over its calls (concurrent calls add up, so stages can sum to more than the wall
    /// clock). <c>Waiting</c> is the index waiting for the next page: large means the reads are the bottleneck.
    /// </summary>
    private sealed class StageTimes
    {
        private readonly long[] _ticks = new long[Enum.GetValues<Stage>().Length];

        public void Add(Stage stage, long ticks) => Interlocked.Add(ref _ticks[(int)stage], ticks);

        public long Ticks(Stage stage) => Interlocked.Read(ref _ticks[(int)stage]);

        public double Milliseconds(Stage stage) => Ticks(stage) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
    }

    /// <summary>Times the call from its start: an engine's add may do all its work before it returns the task.</summary>
    private static async Task<T> Timed<T>(Func<Task<T>> call, StageTimes? stages, Stage stage)
    {
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        finally
        {
            stages?.Add(stage, System.Diagnostics.Stopwatch.GetTimestamp() - since);
        }
    }

    private static async Task Timed(Func<Task> call, StageTimes? stages, Stage stage)
    {
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await call();
        }
        finally
        {
            stages?.Add(stage, System.Diagnostics.Stopwatch.GetTimestamp() - since);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reindex stages (summed time): catalog pages {Catalog:F0} ms, inventory lookups {Inventory:F0} ms, stock book {StockBook:F0} ms, index adds {Index:F0} ms, index waiting for pages {Waiting:F0} ms, swap {Swap:F0} ms; wall {Wall} ms")]
    private static partial void LogStages(ILogger logger, double catalog, double inventory, double stockBook, double index, double waiting, double swap, long wall);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reindexed {Count} products in {Milliseconds} ms on {Engine}")]
    private static partial void LogReindexed(ILogger logger, long count, long milliseconds, string engine);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reindex failed; the old index stays live")]
    private static partial void LogReindexFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled with {Catalog} catalog products: {Missing} missing, {Outdated} outdated, {Extra} extra repaired")]
    private static partial void LogReconciled(ILogger logger, long catalog, long missing, long outdated, long extra);
}

/// <summary>Reindexes an empty index at start-up, then reconciles on a timer.</summary>
public sealed partial class SearchMaintenance(ISearchEngine engine, Rebuilder rebuilder, SearchOptions options, TimeProvider time,
    ILogger<SearchMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ReindexWhenEmpty && (await engine.VersionsAsync(stoppingToken)).Count == 0)
        {
            rebuilder.TryStartReindex();
        }

        if (options.ReconcileInterval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(options.ReconcileInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await rebuilder.ReconcileAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested) // any failure: a loop that ends stops search-api's host
            {
                LogReconcileFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation failed; retrying at the next tick")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
