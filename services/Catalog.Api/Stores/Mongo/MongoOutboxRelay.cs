using Ecommerce.Messaging;
using MongoDB.Driver;
using StackExchange.Redis;

namespace Catalog.Api.Stores.Mongo;

/// <summary>
/// Publishes the MongoDB outbox to Redis streams in <c>_id</c> order and marks each batch sent. A crash
/// between XADD and the update sends the batch again on restart (at-least-once, with the same event
/// id; every handler is idempotent on the event's own keys, docs/events.md). Unlike the PostgreSQL relay there is no SKIP LOCKED: run the relay on one replica
/// (<c>Outbox:RelayEnabled=false</c> on the others) to avoid duplicate sends.
/// </summary>
public sealed class MongoOutboxRelay(IMongoDatabase database, IConnectionMultiplexer redis, OutboxOptions options, TimeProvider time,
    ILogger<MongoOutboxRelay> logger) : OutboxRelay(options, logger)
{
    public override async Task<int> RelayOnceAsync(CancellationToken ct)
    {
        var outbox = database.GetCollection<OutboxDocument>(MongoCatalogStore.OutboxCollection);
        var batch = await outbox.Find(OutboxDocument.Unsent).SortBy(d => d.Id).Limit(Options.BatchSize).ToListAsync(ct);
        ReportBacklog(batch.Count);
        if (batch.Count == 0)
        {
            return 0;
        }

        var messages = batch.Select(d => d.ToMessage()).ToList();
        await PublishAsync(redis.GetDatabase(), messages);

        await outbox.UpdateManyAsync(Builders<OutboxDocument>.Filter.In(d => d.Id, batch.Select(d => d.Id)),
            Builders<OutboxDocument>.Update.Set(d => d.SentAt, time.GetUtcNow()), cancellationToken: ct);
        if (batch.Count < Options.BatchSize)
        {
            ReportBacklog(0);
        }

        await NotifyConsumersAsync(redis, messages);
        return batch.Count;
    }
}
