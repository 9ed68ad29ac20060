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

/// <summary>Stock levels from <c>events:ordering</c> (the in-stock filter).</summary>
public sealed class StockEventsConsumer(IConnectionMultiplexer redis, SearchIndexer indexer, ConsumerGroupName group, ConsumerOptions options,
    ILogger<StockEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Ordering;
    protected override string Group => group.Value;

    protected override Task HandleAsync(IntegrationEvent e, CancellationToken ct) =>
        e is StockChanged changed ? indexer.StockChangedAsync(changed, ct) : Task.CompletedTask;

    protected override Task BeforeAcknowledgeAsync(CancellationToken ct) => indexer.FlushAsync(ct);
}

/// <summary>
/// The consumer group this instance reads with: an embedded (Lucene) index lives on one instance, so each
/// needs every event — one group per index; shared engines (PostgreSQL, Elasticsearch) share one group.
/// </summary>
public sealed record ConsumerGroupName(string Value);
