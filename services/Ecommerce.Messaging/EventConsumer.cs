using System.Diagnostics;
using System.Text.Json;
using Ecommerce.Contracts.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ecommerce.Messaging;

/// <summary>
/// Reads one context's stream with a consumer group. Each entry is handled, then acknowledged; an entry
/// whose handler throws stays pending and is retried: by this consumer with a growing delay (<c>RetryAfter</c>,
/// doubled per delivery), by another after <c>ReclaimAfter</c> via XAUTOCLAIM if this one died. After
/// <c>MaxDeliveries</c> failures that were not a store or service outage it is parked on the dead-letter stream (an
/// outage is retried for as long as it lasts: parking it would leave a read model behind for good).
/// StackExchange.Redis cannot block on XREADGROUP (one multiplexed connection), so a pub/sub notice from the relay
/// wakes it, and a look that finds nothing backs off to <c>IdlePollInterval</c> (<see cref="WorkSignal"/>). Handlers must be idempotent on the event's own keys: delivery is at-least-once and no event id
/// is remembered (docs/events.md).
/// An entry whose <c>type</c> this build does not know (a newer producer's event) is acknowledged and skipped with a
/// log line: parking it would fill the dead-letter stream with events nobody here can ever read.
/// Telemetry: each entry is handled inside a Consumer span whose parent is the trace context stored with the event
/// (<see cref="MessagingTelemetry.StartProcess"/>); polls that find nothing start no span, and their Redis calls, root
/// client spans, are dropped by the services' sampler.
/// </summary>
public abstract partial class EventConsumer(IConnectionMultiplexer redis, ConsumerOptions options, ILogger logger) : BackgroundService
{
    private static readonly HashSet<string> KnownTypes = [.. IntegrationEventJson.Default.IntegrationEvent.PolymorphismOptions!.DerivedTypes
        .Select(d => d.TypeDiscriminator?.ToString() ?? d.DerivedType.Name)];

    private readonly WorkSignal _signal = new(options.PollInterval, options.IdlePollInterval);
    private bool _retriesWaiting;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}";

    protected abstract string Stream { get; }
    protected abstract string Group { get; }

    /// <summary>Applies one event. Must be idempotent: the same event can arrive again (at-least-once delivery).</summary>
    protected abstract Task HandleAsync(IntegrationEvent e, CancellationToken ct);

    /// <summary>The clock that paces the lag readings (tests may replace it).</summary>
    protected virtual TimeProvider Clock => TimeProvider.System;

    private DateTimeOffset _lagReadAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscribed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                if (!subscribed)
                {
                    await EnsureGroupAsync();
                    var channel = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(EventStreams.Notify(Stream)));
                    channel.OnMessage(_ => _signal.Notify());
                    subscribed = true;
                }

                handled = await ConsumeOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever a pass throws is logged and the pass retried: a consumer that ends takes its whole service down
                // (the host stops on a failed BackgroundService). Not only RedisException: while Redis was SIGKILLed the
                // client threw InvalidOperationException ("Writing is not allowed after writer was completed") and
                // ordering-api stopped for good (fault suite, 2026-12-03). Starting while Redis is down is the same case.
                LogReadFailed(logger, ex, Stream);
            }

            // Read on every pass, busy ones too (at most every LagRefreshInterval): read only when a pass found nothing,
            // the gauge kept its last idle reading, 0, for exactly as long as the consumer was behind (lab, 2026-12-03).
            await ReportLagWhenDueAsync();
            if (handled == 0)
            {
                // Its own failed entries come due without a notice: keep the busy pace until they are done.
                await _signal.WaitAsync(foundWork: _retriesWaiting, stoppingToken);
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

    /// <summary>Feeds the lag and pending gauges from XINFO GROUPS, at most every <c>LagRefreshInterval</c>.</summary>
    private async Task ReportLagWhenDueAsync()
    {
        var now = Clock.GetUtcNow();
        if (now - _lagReadAt < options.LagRefreshInterval)
        {
            return;
        }

        _lagReadAt = now;
        try
        {
            var key = EventStreams.Key(Stream);
            var groups = await redis.GetDatabase().StreamGroupInfoAsync(key);
            if (groups.FirstOrDefault(g => g.Name == Group) is { Name: not null } group)
            {
                MessagingTelemetry.ReportGroup(key, Group, group.Lag ?? 0, group.PendingMessageCount);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLagReadFailed(logger, ex, Stream);
        }
    }

    /// <returns>How many entries were looked at (handled, skipped, retried later, or parked).</returns>
    public async Task<int> ConsumeOnceAsync(CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = EventStreams.Key(Stream);
        var stale = await db.StreamAutoClaimAsync(key, Group, _consumer, (long)options.ReclaimAfter.TotalMilliseconds, "0-0", 50);
        var retried = await DueForRetryAsync(db, key);
        var fresh = await db.StreamReadGroupAsync(key, Group, _consumer, StreamPosition.NewMessages, 50);
        var entries = stale.ClaimedEntries.Concat(retried).Concat(fresh).DistinctBy(e => e.Id).ToList();
        var handled = new List<RedisValue>();
        foreach (var entry in entries)
        {
            if (await ProcessAsync(db, key, entry, ct))
            {
                handled.Add(entry.Id);
            }
        }

        if (handled.Count > 0)
        {
            try
            {
                // What the handlers wrote must be durable before the stream forgets it: an index that commits in the
                // background lost acknowledged events when it was killed (the fault suite's SIGKILL of search-api).
                await BeforeAcknowledgeAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFlushFailed(logger, ex, Stream, handled.Count);
                return entries.Count; // left pending: retried after RetryAfter
            }

            await db.StreamAcknowledgeAsync(key, Group, [.. handled]);
        }

        return entries.Count;
    }

    /// <summary>Makes what the handlers of this batch wrote durable (default: nothing to do, the handlers committed).</summary>
    protected virtual Task BeforeAcknowledgeAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// This consumer's own failed entries whose back-off has passed, claimed again (which counts a delivery). Without
    /// this they waited for the reclaim meant for dead consumers, and a read model stayed behind that long after a
    /// store came back (measured by the fault suite: 30 s).
    /// </summary>
    private async Task<StreamEntry[]> DueForRetryAsync(IDatabase db, string key)
    {
        var first = (long)options.RetryAfter.TotalMilliseconds;
        var mine = await db.StreamPendingMessagesAsync(key, Group, 50, _consumer, minId: null, maxId: null);
        _retriesWaiting = mine.Length > 0;
        var due = mine.Where(p => p.IdleTimeInMilliseconds >= first && p.IdleTimeInMilliseconds >= Math.Min(first << (int)Math.Min(p.DeliveryCount - 1, 16), (long)options.ReclaimAfter.TotalMilliseconds))
            .Select(p => p.MessageId).ToArray();
        return due.Length == 0 ? [] : await db.StreamClaimAsync(key, Group, _consumer, first, due);
    }

    /// <summary>A store or service that could not be reached: retrying helps, so such a failure never parks the entry.</summary>
    private static bool IsOutage(Exception? ex) =>
        ex is RedisConnectionException or RedisTimeoutException or TimeoutException or HttpRequestException or System.Net.Sockets.SocketException
            or System.Data.Common.DbException { IsTransient: true }
        || ex?.InnerException is { } inner && IsOutage(inner);

    /// <returns>True when the entry is done with (handled, or of an unknown type): it is acknowledged with its batch.</returns>
    private async Task<bool> ProcessAsync(IDatabase db, string key, StreamEntry entry, CancellationToken ct)
    {
        var type = entry["type"].ToString();
        using var activity = MessagingTelemetry.StartProcess(key, Group, entry["id"].ToString(), type,
            NullIfEmpty(entry["traceparent"]), NullIfEmpty(entry["tracestate"]));
        activity?.SetTag("messaging.redis.entry_id", entry.Id.ToString());
        if (!KnownTypes.Contains(type))
        {
            // A newer producer's event (or a retired one): nobody here can read it, and nothing here depends on it.
            MessagingTelemetry.Skipped.Add(1, MessagingTelemetry.GroupTags(key, Group));
            LogUnknownTypeSkipped(logger, entry.Id.ToString(), Stream, Group, type);
            return true;
        }

        if (entry["occurredAt"].TryParse(out long occurredAt))
        {
            var delay = Clock.GetUtcNow().ToUnixTimeMilliseconds() - occurredAt;
            MessagingTelemetry.Delay.Record(Math.Max(0, delay) / 1000.0, MessagingTelemetry.GroupTags(key, Group));
        }

        try
        {
            var e = JsonSerializer.Deserialize(entry["data"].ToString(), IntegrationEventJson.Default.IntegrationEvent)
                ?? throw new JsonException("empty event");
            await HandleAsync(e, ct);
            MessagingTelemetry.Handled.Add(1, MessagingTelemetry.GroupTags(key, Group));
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            var pending = await db.StreamPendingMessagesAsync(key, Group, 1, RedisValue.Null, entry.Id, entry.Id);
            var deliveries = pending.FirstOrDefault().DeliveryCount;
            if (deliveries >= options.MaxDeliveries && !IsOutage(ex) || ex is JsonException or NotSupportedException) // unreadable: retrying cannot help
            {
                await db.StreamAddAsync(EventStreams.DeadLetter(Stream),
                    [new("group", Group), new("entry", entry.Id), new("type", type), new("data", entry["data"]), new("error", ex.Message)]);
                await db.StreamAcknowledgeAsync(key, Group, entry.Id);
                MessagingTelemetry.Parked.Add(1, MessagingTelemetry.GroupTags(key, Group));
                LogParked(logger, ex, entry.Id.ToString(), Stream, Group);
            }
            else
            {
                LogHandlerFailed(logger, ex, entry.Id.ToString(), Stream, deliveries);
            }

            return false;
        }
    }

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading stream {Stream} failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling entry {EntryId} of {Stream} failed (delivery {Deliveries}); it stays pending and will be retried")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string entryId, string stream, long deliveries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Making {Count} handled entries of {Stream} durable failed; they stay pending and will be retried")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string stream, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entry {EntryId} of {Stream} has event type {Type}, unknown to group {Group}: acknowledged and skipped")]
    private static partial void LogUnknownTypeSkipped(ILogger logger, string entryId, string stream, string group, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the lag of stream {Stream} failed; the gauge keeps its last value")]
    private static partial void LogLagReadFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(Level = LogLevel.Error, Message = "Entry {EntryId} of {Stream} parked on the dead-letter stream for group {Group}")]
    private static partial void LogParked(ILogger logger, Exception exception, string entryId, string stream, string group);
}
