using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ecommerce.Messaging;

public sealed class OutboxOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
    public int BatchSize { get; set; } = 200;

    /// <summary>False: rows are written but not relayed by this instance (another replica, or a later start, will).</summary>
    public bool RelayEnabled { get; set; } = true;
}

/// <summary>
/// The relay loop shared by every outbox store: wakes on <see cref="Notify"/> or every poll interval and
/// publishes what its store holds, until a batch comes back short.
/// </summary>
public abstract partial class OutboxRelay(OutboxOptions options, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    protected OutboxOptions Options => options;

    /// <summary>Called after a commit that wrote to the outbox: relay now instead of at the next poll.</summary>
    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <returns>How many messages were published.</returns>
    public abstract Task<int> RelayOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await RelayOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRelayFailed(logger, ex);
            }

            if (sent < options.BatchSize)
            {
                await _wake.WaitAsync(options.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>XADDs one message to its stream (fields: id, type, data, occurredAt).</summary>
    protected static Task PublishAsync(IDatabase redis, OutboxMessage message) =>
        redis.StreamAddAsync(EventStreams.Key(message.Stream),
        [
            new NameValueEntry("id", message.Id.ToString()),
            new NameValueEntry("type", message.Type),
            new NameValueEntry("data", message.Payload),
            new NameValueEntry("occurredAt", message.OccurredAt.ToUnixTimeMilliseconds()),
        ]);

    /// <summary>Wakes consumers blocked on the streams a batch went to.</summary>
    protected async Task NotifyConsumersAsync(IConnectionMultiplexer redis, IReadOnlyCollection<OutboxMessage> batch)
    {
        foreach (var stream in batch.Select(m => m.Stream).Distinct())
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(EventStreams.Notify(stream)), batch.Count);
        }

        LogRelayed(logger, batch.Count);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Relaying the outbox failed; retrying")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Relayed {Count} outbox messages")]
    private static partial void LogRelayed(ILogger logger, int count);
}

/// <summary>
/// Publishes outbox rows to their Redis stream and marks them sent. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several replicas relay side by side without sending a row twice
/// at the same time. If the process dies after XADD and before the commit, the row is sent again on
/// restart: at-least-once, which consumers handle by event id. A committed row is never lost.
/// </summary>
public sealed class OutboxRelay<TContext>(IServiceScopeFactory scopes, IConnectionMultiplexer redis, OutboxOptions options,
    TimeProvider time, ILogger<OutboxRelay<TContext>> logger) : OutboxRelay(options, logger) where TContext : DbContext
{
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
                .ToListAsync(ct);
            if (batch.Count == 0)
            {
                return 0;
            }

            var redisDb = redis.GetDatabase();
            foreach (var message in batch)
            {
                await PublishAsync(redisDb, message);
                message.SentAt = time.GetUtcNow();
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            await NotifyConsumersAsync(redis, batch);
            return batch.Count;
        });
    }
}
