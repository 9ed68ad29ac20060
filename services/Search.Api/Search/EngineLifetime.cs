namespace Search.Api.Search;

/// <summary>
/// Closes the engine when the host stops (registered first, so it stops last — after the consumers that write
/// to it), rather than whenever the container happens to be disposed: the Lucene index is committed and its
/// files released before the process or a test moves on.
/// </summary>
public sealed class EngineLifetime(ISearchEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        (engine as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }
}
