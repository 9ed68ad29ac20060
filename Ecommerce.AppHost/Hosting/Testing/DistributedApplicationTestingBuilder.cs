namespace Ecommerce.AppHost.Hosting.Testing;

/// <summary>
/// Starts the real AppHost (its Program.cs topology) inside a test, like Aspire.Hosting.Testing: the
/// entry point runs with the given arguments, and instead of waiting for Ctrl+C it hands the started
/// app to the test. Disposing it stops everything.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    public static async Task<RunningApplication> StartAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var entryPoint = typeof(DistributedApplication).Assembly.EntryPoint
            ?? throw new InvalidOperationException("The AppHost assembly has no entry point.");
        var hook = new TestingHook();
        var run = Task.Factory.StartNew(() =>
        {
            DistributedApplication.Hook.Value = hook;
            entryPoint.Invoke(null, [args]);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var started = await Task.WhenAny(hook.Started, run).WaitAsync(cancellationToken);
        if (started == run || hook.Started.IsFaulted)
        {
            await run; // rethrows the entry point's failure
            await hook.Started;
        }

        return new RunningApplication(await hook.Started, hook, run);
    }
}

public sealed class RunningApplication(DistributedApplication app, TestingHook hook, Task run) : IAsyncDisposable
{
    public DistributedApplication App { get; } = app;

    public async ValueTask DisposeAsync()
    {
        hook.RequestStop();
        await run;
    }
}

public sealed class TestingHook
{
    private readonly TaskCompletionSource<DistributedApplication> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Task<DistributedApplication> Started => _started.Task;

    internal void RequestStop() => _stop.TrySetResult();

    internal async Task RunAsync(DistributedApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            return;
        }

        _started.TrySetResult(app);
        await _stop.Task;
        await app.DisposeAsync();
    }
}
