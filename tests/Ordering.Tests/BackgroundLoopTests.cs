using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ordering.Tests;

/// <summary>
/// A background loop that ends stops its service's host (BackgroundServiceExceptionBehavior.StopHost): the fault suite
/// lost ordering-api that way when the Redis client threw InvalidOperationException during a SIGKILL of Redis.
/// Whatever one pass throws must be logged and the pass retried.
/// </summary>
public sealed class BackgroundLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_relay_keeps_relaying_after_a_pass_throws_anything_but_its_own_stop()
    {
        var logs = new CountingLogger();
        using var relay = new FlakyRelay(logs);

        await relay.StartAsync(Ct);
        await relay.ThirdPass.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.False(relay.ExecuteTask!.IsCompleted, "the relay's loop ended");
        Assert.Equal(2, logs.Warnings + logs.Errors);
        await relay.StopAsync(Ct);
    }

    [Fact]
    public async Task A_consumer_started_while_redis_is_unreachable_keeps_trying_instead_of_ending()
    {
        var logs = new CountingLogger();
        // A real client against a port nothing listens on: every call fails as it would during a Redis outage.
        using var unreachable = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, FreePort()) }, AbortOnConnectFail = false,
            ConnectTimeout = 200, SyncTimeout = 200, AsyncTimeout = 200,
        });
        using var consumer = new NoOpConsumer(unreachable, logs);

        await consumer.StartAsync(Ct);
        await Ecommerce.Testing.Poll.UntilAsync(() => logs.Warnings >= 3 || consumer.ExecuteTask!.IsCompleted, TimeSpan.FromSeconds(60), "three failed passes");

        Assert.False(consumer.ExecuteTask!.IsCompleted, $"the consumer's loop ended: {consumer.ExecuteTask.Exception?.GetBaseException().Message}");
        await consumer.StopAsync(Ct);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class FlakyRelay(ILogger logger)
        : OutboxRelay(new OutboxOptions { PollInterval = TimeSpan.FromMilliseconds(1), IdlePollInterval = TimeSpan.FromMilliseconds(1) }, logger)
    {
        private int _passes;

        public TaskCompletionSource ThirdPass { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task<int> RelayOnceAsync(CancellationToken ct) => Interlocked.Increment(ref _passes) switch
        {
            // What the Redis client threw while its connection was torn down, then a timeout's own cancellation.
            1 => throw new InvalidOperationException("Writing is not allowed after writer was completed."),
            2 => throw new OperationCanceledException("a command timed out"),
            3 => Done(),
            _ => Task.FromResult(0),
        };

        private Task<int> Done()
        {
            ThirdPass.TrySetResult();
            return Task.FromResult(0);
        }
    }

    private sealed class NoOpConsumer(IConnectionMultiplexer redis, ILogger logger)
        : EventConsumer(redis, new ConsumerOptions { PollInterval = TimeSpan.FromMilliseconds(10), IdlePollInterval = TimeSpan.FromMilliseconds(50) }, logger)
    {
        protected override string Stream => "loop-test";
        protected override string Group => "loop-test";

        protected override Task HandleAsync(IntegrationEvent e, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class CountingLogger : ILogger
    {
        private readonly ConcurrentDictionary<LogLevel, int> _counts = new();

        public int Warnings => _counts.GetValueOrDefault(LogLevel.Warning);
        public int Errors => _counts.GetValueOrDefault(LogLevel.Error);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _counts.AddOrUpdate(logLevel, 1, (_, n) => n + 1);
    }
}
