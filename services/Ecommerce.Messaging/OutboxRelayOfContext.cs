using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ecommerce.Messaging;

/// <summary>
/// Publishes outbox rows to their Redis stream and marks them sent. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several replicas relay side by side without sending a row twice
/// at the same time. If the process dies after XADD and before the commit, the row is sent again on
/// restart: at-least-once, with the same event id. Consumers cope because every handler is idempotent on the
/// event's own keys (order id and state, product version, absolute stock levels), not by remembering event ids:
/// see docs/events.md. A committed row is never lost.
/// </summary>
public sealed class OutboxRelay<TContext>(IServiceScopeFactory scopes, IConnectionMultiplexer redis, OutboxOptions options,
    TimeProvider time, ILogger<OutboxRelay<TContext>> logger) : OutboxRelay(options, logger) where TContext : DbContext
{
    protected override string OutboxName => typeof(TContext).Name;

    public override async Task<int> RelayOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var batch = await db.Set<OutboxMessage>()
                .FromSql($"SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY position LIMIT {Options.BatchSize} FOR UPDATE SKIP LOCKED")
                .AsNoTracking()
                .ToListAsync(ct);
            ReportBacklog(batch.Count);
            if (batch.Count == 0)
            {
                return 0;
            }

            await PublishAsync(redis.GetDatabase(), batch);
            // One statement marks the batch sent (tracked rows saved one UPDATE each).
            var ids = batch.Select(m => m.Id).ToList();
            var sentAt = time.GetUtcNow();
            await db.Set<OutboxMessage>().Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, sentAt), ct);
            await tx.CommitAsync(ct);
            if (batch.Count < Options.BatchSize)
            {
                ReportBacklog(0); // a short batch was all there was; after a full one the next pass (at once) tells
            }

            await NotifyConsumersAsync(redis, batch);
            return batch.Count;
        });
    }
}
