using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ordering.Tests;

/// <summary>The <c>ecommerce.consumer.lag</c> gauge is what a developer watches to see a consumer fall behind.</summary>
public sealed class ConsumerLagTests(TestInfrastructure infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_lag_gauge_reports_the_backlog_while_the_consumer_is_busy_with_it()
    {
        // It used to be read only after a pass that found nothing: while the consumer was behind, it showed 0.
        using var redis = await ConnectionMultiplexer.ConnectAsync(await infrastructure.CreateRedisDatabaseAsync());
        var stream = $"lag-test-{Guid.NewGuid():N}";
        var data = System.Text.Json.JsonSerializer.Serialize<IntegrationEvent>(new StockChanged("LAG", 1), IntegrationEventJson.Default.IntegrationEvent);
        for (var i = 0; i < 300; i++)
        {
            await redis.GetDatabase().StreamAddAsync(EventStreams.Key(stream), [new("id", Guid.CreateVersion7().ToString()), new("type", "StockChanged"), new("data", data)]);
        }

        var readings = new ConcurrentBag<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Meter.Name: MessagingTelemetry.Name, Name: "ecommerce.consumer.lag" })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "messaging.destination.name" } && (string?)tag.Value == EventStreams.Key(stream))
                {
                    readings.Add(value);
                }
            }
        });
        listener.Start();

        using var consumer = new SlowConsumer(redis, stream);
        await consumer.StartAsync(Ct);
        // 300 entries at 10 ms each: three seconds of work, read at least twice (LagRefreshInterval is 1 s).
        await Ecommerce.Testing.Poll.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return readings.Any(r => r > 0) || consumer.Handled >= 300;
        }, TimeSpan.FromSeconds(30), "a lag reading");
        await consumer.StopAsync(Ct);

        Assert.True(readings.Any(r => r > 0), $"no lag above 0 was reported while {300 - consumer.Handled} entries still waited");
    }

    private sealed class SlowConsumer(IConnectionMultiplexer redis, string stream)
        : EventConsumer(redis, new ConsumerOptions { LagRefreshInterval = TimeSpan.FromSeconds(1) }, NullLogger.Instance)
    {
        private int _handled;

        public int Handled => Volatile.Read(ref _handled);

        protected override string Stream => stream;
        protected override string Group => "lag-test";

        protected override async Task HandleAsync(IntegrationEvent e, CancellationToken ct)
        {
            await Task.Delay(10, ct);
            Interlocked.Increment(ref _handled);
        }
    }
}
