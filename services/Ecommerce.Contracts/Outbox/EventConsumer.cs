using System.Text.Json;
using Ecommerce.Contracts.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ecommerce.Contracts.Outbox;

public sealed class ConsumerOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromSeconds(30);
    public int MaxDeliveries { get; set; } = 5;
}

/// <summary>
/// Reads one context's stream with a consumer group. Each entry is handled, then acknowledged; an entry
/// whose handler throws stays pending and is retried (also by another replica after <c>ReclaimAfter</c>,
/// via XAUTOCLAIM, if this one died); after <c>MaxDeliveries</c> it is parked on the dead-letter stream.
/// StackExchange.Redis cannot block on XREADGROUP, so it polls, and a pub/sub notice from the relay
/// wakes it at once. Handlers must be idempotent: delivery is at-least-once.
/// </summary>
public abstract partial class EventConsumer(IConnectionMultiplexer redis, ConsumerOptions options, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}";

    protected abstract string Stream { get; }
    protected abstract string Group { get; }

    protected abstract Task HandleAsync(string eventId, IntegrationEvent e, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await EnsureGroupAsync();
        var channel = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(EventStreams.Notify(Stream)));
        channel.OnMessage(_ => { if (_wake.CurrentCount == 0) { _wake.Release(); } });
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                handled = await ConsumeOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogReadFailed(logger, ex, Stream);
            }

            if (handled == 0)
            {
                await _wake.WaitAsync(options.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public async Task EnsureGroupAsync()
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(EventStreams.Key(Stream), Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: another replica or an earlier run made it.
        }
    }

    /// <returns>How many entries were looked at (handled, retried later, or parked).</returns>
    public async Task<int> ConsumeOnceAsync(CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = EventStreams.Key(Stream);
        var stale = await db.StreamAutoClaimAsync(key, Group, _consumer, (long)options.ReclaimAfter.TotalMilliseconds, "0-0", 50);
        var fresh = await db.StreamReadGroupAsync(key, Group, _consumer, StreamPosition.NewMessages, 50);
        var entries = stale.ClaimedEntries.Concat(fresh).ToList();
        foreach (var entry in entries)
        {
            await ProcessAsync(db, key, entry, ct);
        }

        return entries.Count;
    }

    private async Task ProcessAsync(IDatabase db, string key, StreamEntry entry, CancellationToken ct)
    {
        try
        {
            var e = JsonSerializer.Deserialize(entry["data"].ToString(), IntegrationEventJson.Default.IntegrationEvent)
                ?? throw new JsonException("empty event");
            await HandleAsync(entry["id"].ToString(), e, ct);
            await db.StreamAcknowledgeAsync(key, Group, entry.Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var pending = await db.StreamPendingMessagesAsync(key, Group, 1, RedisValue.Null, entry.Id, entry.Id);
            var deliveries = pending.FirstOrDefault().DeliveryCount;
            if (deliveries >= options.MaxDeliveries || ex is JsonException or NotSupportedException) // unreadable: retrying cannot help
            {
                await db.StreamAddAsync(EventStreams.DeadLetter(Stream),
                    [new("group", Group), new("entry", entry.Id), new("data", entry["data"]), new("error", ex.Message)]);
                await db.StreamAcknowledgeAsync(key, Group, entry.Id);
                LogParked(logger, ex, entry.Id.ToString(), Stream, Group);
            }
            else
            {
                LogHandlerFailed(logger, ex, entry.Id.ToString(), Stream, deliveries);
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading stream {Stream} failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling entry {EntryId} of {Stream} failed (delivery {Deliveries}); it stays pending and will be retried")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string entryId, string stream, long deliveries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Entry {EntryId} of {Stream} parked on the dead-letter stream for group {Group}")]
    private static partial void LogParked(ILogger logger, Exception exception, string entryId, string stream, string group);
}
