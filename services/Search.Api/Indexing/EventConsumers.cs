using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using StackExchange.Redis;

namespace Search.Api.Indexing;

/// <summary>Product changes from <c>events:catalog</c>.</summary>
public sealed class CatalogEventsConsumer(IConnectionMultiplexer redis, SearchIndexer indexer, ConsumerGroupName group, ConsumerOptions options,
    ILogger<CatalogEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Catalog;
    protected override string Group => group.Value;

    protected override Task HandleAsync(IntegrationEvent e, CancellationToken ct) => e switch
    {
        ProductUpserted upserted => indexer.ApplyAsync(upserted.Product, ct),
        ProductDeleted deleted => indexer.RemoveAsync(deleted, ct),
        _ => Task.CompletedTask,
    };

    protected override Task BeforeAcknowledgeAsync(CancellationToken ct) => indexer.FlushAsync(ct);
}

/// <summary>
/// Stock levels from <c>events:ordering</c> (the in-stock filter), applied once per pass rather than per event: each
/// in-stock flip was an index write made visible on its own (a Lucene refresh, a new segment), and at 60 orders/s search
/// handled 15–40 events/s and fell 15–20 s behind (bench/results/2026-12-03-performance.md). Levels are absolute, so a
/// pass's last level per sku is what applying each in turn would leave. The pass is applied and flushed before it is
/// acknowledged; if that fails, every entry of the pass stays pending and is retried (as for a failed flush).
/// </summary>
public sealed class StockEventsConsumer(IConnectionMultiplexer redis, SearchIndexer indexer, ConsumerGroupName group, ConsumerOptions options,
    ILogger<StockEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    private readonly List<StockChanged> _pass = [];

    protected override string Stream => EventStreams.Ordering;
    protected override string Group => group.Value;

    protected override Task HandleAsync(IntegrationEvent e, CancellationToken ct)
    {
        if (e is StockChanged changed)
        {
            _pass.Add(changed);
        }

        return Task.CompletedTask;
    }

    protected override async Task BeforeAcknowledgeAsync(CancellationToken ct)
    {
        try
        {
            await indexer.StockChangedAsync(_pass, ct);
        }
        finally
        {
            _pass.Clear();
        }

        await indexer.FlushAsync(ct);
    }
}

/// <summary>
/// The consumer group this instance reads with: an embedded (Lucene) index lives on one instance, so each
/// needs every event — one group per index; shared engines (PostgreSQL, Elasticsearch) share one group.
/// </summary>
public sealed record ConsumerGroupName(string Value);
