using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ecommerce.Messaging;

/// <summary>
/// The relay loop shared by every outbox store: wakes on <see cref="Notify"/> (called after each commit that wrote
/// to the outbox) and publishes what its store holds, until a batch comes back short; with nothing to do it looks
/// again after a wait that grows from <c>PollInterval</c> to <c>IdlePollInterval</c> (<see cref="WorkSignal"/>).
/// Telemetry: a pass that finds nothing starts no span (its query is a root client span, which the services' sampler
/// drops, see ServiceDefaults' IdlePollSampler); each published row gets a Producer span under the trace it was
/// written in (<see cref="MessagingTelemetry.StartPublish"/>).
/// </summary>
public abstract partial class OutboxRelay(OutboxOptions options, ILogger logger) : BackgroundService
{
    private readonly WorkSignal _signal = new(options.PollInterval, options.IdlePollInterval);

    protected OutboxOptions Options => options;

    /// <summary>Names this relay's outbox on the <c>ecommerce.outbox.backlog</c> gauge.</summary>
    protected virtual string OutboxName => GetType().Name;

    /// <summary>Called after a commit that wrote to the outbox: relay now instead of at the next poll.</summary>
    public void Notify() => _signal.Notify();

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
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Any failure, a cancellation from a timeout included, is logged and retried: a relay that ends stops the
                // host (a failed BackgroundService), and its service with it.
                LogRelayFailed(logger, ex);
            }

            if (sent < options.BatchSize)
            {
                await _signal.WaitAsync(foundWork: sent > 0, stoppingToken);
            }
        }
    }

    /// <summary>Records what a pass found unsent (the backlog gauge): a full batch means at least that many.</summary>
    protected void ReportBacklog(int unsent) => MessagingTelemetry.ReportBacklog(OutboxName, unsent);

    /// <summary>
    /// XADDs a batch to its streams in one Redis transaction (MULTI … EXEC), each message inside its own Producer span.
    /// Fields: <c>id</c> (the event id), <c>type</c>, <c>data</c> (JSON with <c>$type</c> and <c>eventVersion</c>),
    /// <c>occurredAt</c> (Unix ms), and <c>traceparent</c> / <c>tracestate</c> (W3C) when the row was written under a trace.
    /// Why one transaction: an <c>await</c> per message queued each continuation behind a busy service's requests, so
    /// the relay sent a few hundred messages a second at most and fell seconds behind at 100 orders/s (every consumer
    /// of ordering's stream 6–7 s late, bench/results/2026-12-03-performance.md). One round trip for the batch keeps
    /// the outbox order within each stream, and it is all or nothing: a failure sends none of the batch, which stays
    /// unsent and is sent again, in order, by the next pass.
    /// </summary>
    protected static async Task PublishAsync(IDatabase redis, IReadOnlyList<OutboxMessage> batch)
    {
        var transaction = redis.CreateTransaction();
        var sends = new (Activity? Span, Task<RedisValue> Add)[batch.Count];
        var outer = Activity.Current;
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            var span = MessagingTelemetry.StartPublish(message);
            Activity.Current = outer; // each span is a sibling under its own stored parent, not a child of the one before
            sends[i] = (span, transaction.StreamAddAsync(EventStreams.Key(message.Stream), Fields(message)));
        }

        Exception? failure = null;
        try
        {
            if (!await transaction.ExecuteAsync())
            {
                failure = new RedisException("The outbox batch's Redis transaction was not executed");
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        foreach (var (span, add) in sends)
        {
            if (failure is null && add.IsCompletedSuccessfully)
            {
                span?.SetTag("messaging.redis.entry_id", add.Result.ToString());
            }
            else
            {
                span?.SetStatus(ActivityStatusCode.Error, failure?.Message ?? add.Exception?.GetBaseException().Message);
            }

            span?.Dispose();
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static NameValueEntry[] Fields(OutboxMessage message)
    {
        var fields = new List<NameValueEntry>(6)
        {
            new("id", message.Id.ToString()),
            new("type", message.Type),
            new("data", message.Payload),
            new("occurredAt", message.OccurredAt.ToUnixTimeMilliseconds()),
        };
        if (message.TraceParent is not null)
        {
            fields.Add(new("traceparent", message.TraceParent));
        }

        if (!string.IsNullOrEmpty(message.TraceState))
        {
            fields.Add(new("tracestate", message.TraceState));
        }

        return [.. fields];
    }

    /// <summary>Wakes consumers waiting on the streams a batch went to, and counts what was relayed.</summary>
    protected async Task NotifyConsumersAsync(IConnectionMultiplexer redis, IReadOnlyCollection<OutboxMessage> batch)
    {
        foreach (var stream in batch.GroupBy(m => m.Stream))
        {
            MessagingTelemetry.Relayed.Add(stream.Count(), MessagingTelemetry.DestinationTags(EventStreams.Key(stream.Key)));
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(EventStreams.Notify(stream.Key)), stream.Count());
        }

        LogRelayed(logger, batch.Count);
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Relaying the outbox failed; retrying")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Relayed {Count} outbox messages")]
    private static partial void LogRelayed(ILogger logger, int count);
}
