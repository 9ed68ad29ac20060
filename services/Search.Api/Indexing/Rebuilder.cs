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

    private async Task ReindexAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await using var target = await engine.BeginReindexAsync(ct);
            long count = 0;
            var stages = new StageTimes();
            var pages = catalog.PagesAsync(ct).GetAsyncEnumerator(ct);
            await using (pages)
            {
                while (true)
                {
                    var at = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (!await pages.MoveNextAsync()) break;
                    stages.Catalog += System.Diagnostics.Stopwatch.GetElapsedTime(at);
                    var page = pages.Current;
                    var documents = await DocumentsAsync(page, stages, ct);
                    at = System.Diagnostics.Stopwatch.GetTimestamp();
                    await target.AddAsync(documents, ct);
                    stages.Index += System.Diagnostics.Stopwatch.GetElapsedTime(at);
                    count += page.Count;
                    _status = _status with { Indexed = count };
                }
            }

            var swapAt = System.Diagnostics.Stopwatch.GetTimestamp();
            await target.SwapAsync(ct);
            stages.Swap = System.Diagnostics.Stopwatch.GetElapsedTime(swapAt);
            _status = _status with { State = "done", FinishedAt = time.GetUtcNow() };
            LogReindexed(logger, count, clock.ElapsedMilliseconds, engine.Name);
            LogStages(logger, stages.Catalog.TotalMilliseconds, stages.Inventory.TotalMilliseconds, stages.StockBook.TotalMilliseconds,
                stages.Index.TotalMilliseconds, stages.Swap.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A background job: the failure is recorded in the status (GET /api/search/reindex) and logged.
            _status = _status with { State = "failed", FinishedAt = time.GetUtcNow(), Error = ex.Message };
            LogReindexFailed(logger, ex);
        }
    }

    /// <summary>Compares the index with the catalog and repairs every difference. Waits for a running reindex.</summary>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
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
                    await RefreshStockAsync(stale, ct);
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

    private async Task<List<SearchDocument>> DocumentsAsync(IReadOnlyList<ProductSnapshot> page, StageTimes stages, CancellationToken ct)
    {
        var available = await RefreshStockAsync(page, ct, stages);
        return page.Where(p => p.Status == "active").Select(p =>
        {
            var document = SearchDocument.From(p, inStock: false);
            return document with { InStock = document.Skus.Any(s => available.GetValueOrDefault(s) > 0) };
        }).ToList();
    }

    /// <summary>Current availability of the products' skus from inventory, also written to the stock book.</summary>
    private async Task<Dictionary<string, int>> RefreshStockAsync(IReadOnlyList<ProductSnapshot> products, CancellationToken ct, StageTimes? stages = null)
    {
        var at = System.Diagnostics.Stopwatch.GetTimestamp();
        var skus = products.SelectMany(p => p.Variants.Select(v => v.Sku).Prepend(p.Sku)).Distinct().ToList();
        var available = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in skus.Chunk(100))
        {
            foreach (var (sku, units) in await inventory.GetAvailableAsync(chunk, ct)) available[sku] = units;
        }

        if (stages is not null) stages.Inventory += System.Diagnostics.Stopwatch.GetElapsedTime(at);
        at = System.Diagnostics.Stopwatch.GetTimestamp();
        await stock.SetManyAsync(available);
        if (stages is not null) stages.StockBook += System.Diagnostics.Stopwatch.GetElapsedTime(at);
        return available;
    }

    private sealed class StageTimes
    {
        public TimeSpan Catalog, Inventory, StockBook, Index, Swap;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reindex stages: catalog {Catalog:F0} ms, inventory {Inventory:F0} ms, stock book {StockBook:F0} ms, index adds {Index:F0} ms, swap {Swap:F0} ms")]
    private static partial void LogStages(ILogger logger, double catalog, double inventory, double stockBook, double index, double swap);

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
