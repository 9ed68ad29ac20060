using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Cart.Api.Events;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Cart.Tests;

/// <summary>
/// What the stream carries besides the event: the trace it was written under (the consumer's span continues it) and a
/// type a newer producer may have added (acknowledged and skipped, never parked). Real Redis, the real cart service.
/// </summary>
public sealed class EventTraceContextTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly ConcurrentBag<Activity> _consumed = [];
    private ActivityListener _listener = null!;
    private CatalogStub _catalog = null!;
    private ServiceFactory<Program> _service = null!;
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (activity.Kind == ActivityKind.Consumer) { _consumed.Add(activity); } },
        };
        ActivitySource.AddActivityListener(_listener);
        _catalog = await CatalogStub.StartAsync();
        var redis = await infrastructure.CreateRedisDatabaseAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(redis);
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Cart:CatalogUrl"] = _catalog.Url.ToString(),
        });
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _service.DisposeAsync();
        await _catalog.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task The_stored_traceparent_is_the_parent_of_the_consumers_span_and_linked_from_it()
    {
        var stored = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var traceParent = $"00-{stored.TraceId}-{stored.SpanId}-01";
        var data = JsonSerializer.Serialize<IntegrationEvent>(new StockChanged("MUG", 4), IntegrationEventJson.Default.IntegrationEvent);
        await _redis.GetDatabase().StreamAddAsync(EventStreams.Key(EventStreams.Ordering),
            [new("id", Guid.CreateVersion7().ToString()), new("type", "StockChanged"), new("data", data), new("traceparent", traceParent)]);

        await DrainAsync();

        var span = Assert.Single(_consumed, a => a.TraceId == stored.TraceId && a.GetTagItem("messaging.consumer.group.name") as string == "cart-api");
        Assert.Equal(stored.SpanId, span.ParentSpanId);
        Assert.Equal(stored.SpanId, Assert.Single(span.Links).Context.SpanId);
        Assert.Equal("redis", span.GetTagItem("messaging.system"));
        Assert.Equal(EventStreams.Key(EventStreams.Ordering), span.GetTagItem("messaging.destination.name"));
        Assert.Equal("process", span.GetTagItem("messaging.operation"));
    }

    [Fact]
    public async Task An_event_type_this_build_does_not_know_is_acknowledged_and_skipped_not_parked()
    {
        await _redis.GetDatabase().StreamAddAsync(EventStreams.Key(EventStreams.Ordering),
            [new("id", Guid.CreateVersion7().ToString()), new("type", "OrderTeleported"), new("data", "{\"$type\":\"OrderTeleported\",\"eventVersion\":1}")]);

        await DrainAsync();

        var pending = await _redis.GetDatabase().StreamPendingAsync(EventStreams.Key(EventStreams.Ordering), "cart-api");
        Assert.Equal(0, pending.PendingMessageCount);
        Assert.Equal(0, await _redis.GetDatabase().StreamLengthAsync(EventStreams.DeadLetter(EventStreams.Ordering)));
    }

    private Task DrainAsync() => OrderingStreamDrain.DrainAsync(_service.Services, _redis);
}
