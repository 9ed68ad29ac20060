using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ecommerce.Messaging;

/// <summary>
/// The spans and instruments of the event plumbing. Spans follow the OpenTelemetry messaging conventions (system
/// <c>redis</c>, destination = the stream key, operation publish/process) so the dashboard shows a request, the outbox
/// publish and every consumer's handling as ONE trace. Gauges report values the relay and consumers already see while
/// working: none of them adds a query of its own.
/// </summary>
public static class MessagingTelemetry
{
    public const string Name = "Ecommerce.Messaging";
    public const string System = "redis";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    private static readonly ConcurrentDictionary<string, long> OutboxBacklog = new();
    private static readonly ConcurrentDictionary<(string Stream, string Group), (long Lag, long Pending)> ConsumerState = new();

    public static readonly Counter<long> Relayed = Meter.CreateCounter<long>("ecommerce.outbox.relayed", "{message}",
        "Outbox rows published to their stream");

    public static readonly Counter<long> Handled = Meter.CreateCounter<long>("ecommerce.consumer.handled", "{message}",
        "Stream entries a consumer handled and acknowledged");

    public static readonly Counter<long> Skipped = Meter.CreateCounter<long>("ecommerce.consumer.skipped", "{message}",
        "Stream entries of an event type this consumer does not know, acknowledged without handling");

    public static readonly Counter<long> Parked = Meter.CreateCounter<long>("ecommerce.consumer.parked", "{message}",
        "Stream entries moved to the dead-letter stream");

    /// <summary>
    /// From an event's commit (the outbox row's <c>occurred_at</c>, carried as the entry's <c>occurredAt</c>) to a consumer
    /// starting to handle it: the relay's wait, the XADD, the pub/sub notice and the consumer's wake. Redeliveries count with
    /// their whole delay, so a retried event shows as the outlier it is.
    /// </summary>
    public static readonly Histogram<double> Delay = Meter.CreateHistogram<double>("ecommerce.consumer.delay", "s",
        "Time from an event's commit to a consumer starting to handle it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    static MessagingTelemetry()
    {
        Meter.CreateObservableGauge("ecommerce.outbox.backlog",
            () => OutboxBacklog.Select(b => new Measurement<long>(b.Value, new KeyValuePair<string, object?>("ecommerce.outbox", b.Key))),
            "{message}", "Unsent outbox rows the relay found on its last pass (at most one batch: a full batch means at least this many)");
        Meter.CreateObservableGauge("ecommerce.consumer.lag",
            () => ConsumerState.Select(c => new Measurement<long>(c.Value.Lag, GroupTags(c.Key))),
            "{message}", "Stream entries not yet delivered to the consumer group (XINFO GROUPS lag)");
        Meter.CreateObservableGauge("ecommerce.consumer.pending",
            () => ConsumerState.Select(c => new Measurement<long>(c.Value.Pending, GroupTags(c.Key))),
            "{message}", "Entries delivered to the group but not acknowledged yet (XINFO GROUPS pending)");
    }

    public static void ReportBacklog(string outbox, long unsent) => OutboxBacklog[outbox] = unsent;

    public static void ReportGroup(string stream, string group, long lag, long pending) => ConsumerState[(stream, group)] = (lag, pending);

    public static TagList DestinationTags(string streamKey) => new()
    {
        { "messaging.system", System },
        { "messaging.destination.name", streamKey },
    };

    public static TagList GroupTags(string streamKey, string group) => new()
    {
        { "messaging.system", System },
        { "messaging.destination.name", streamKey },
        { "messaging.consumer.group.name", group },
    };

    private static KeyValuePair<string, object?>[] GroupTags((string Stream, string Group) key) =>
        [new("messaging.system", System), new("messaging.destination.name", key.Stream), new("messaging.consumer.group.name", key.Group)];

    /// <summary>The W3C context an outbox row was written under (the request or handler that caused the event).</summary>
    public static ActivityContext? ParseContext(string? traceParent, string? traceState) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : null;

    /// <summary>The context to store with a new outbox row: the current activity's, when it is W3C.</summary>
    public static (string? TraceParent, string? TraceState) CurrentContext() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? (current.Id, current.TraceStateString) : (null, null);

    /// <summary>The publish span of one outbox row: a Producer under the context the row was written in.</summary>
    public static Activity? StartPublish(OutboxMessage message)
    {
        var key = EventStreams.Key(message.Stream);
        var stored = ParseContext(message.TraceParent, message.TraceState);
        var activity = Source.StartActivity(ActivityKind.Producer, stored ?? default, DestinationTags(key),
            stored is { } link ? [new ActivityLink(link)] : null, name: $"publish {key}");
        activity?.SetTag("messaging.operation.type", "publish");
        activity?.SetTag("messaging.operation", "publish");
        activity?.SetTag("messaging.message.id", message.Id.ToString());
        activity?.SetTag("ecommerce.event.type", message.Type);
        return activity;
    }

    /// <summary>
    /// The handling span of one stream entry: a Consumer whose parent is the context stored with the event (the same
    /// trace as the request that caused it) and which links to it, as the messaging conventions ask of a consumer.
    /// </summary>
    public static Activity? StartProcess(string streamKey, string group, string? eventId, string? type, string? traceParent, string? traceState)
    {
        var stored = ParseContext(traceParent, traceState);
        var activity = Source.StartActivity(ActivityKind.Consumer, stored ?? default, GroupTags(streamKey, group),
            stored is { } link ? [new ActivityLink(link)] : null, name: $"process {streamKey}");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.operation", "process");
        activity?.SetTag("messaging.message.id", eventId);
        activity?.SetTag("ecommerce.event.type", type);
        return activity;
    }
}
