namespace Ecommerce.AppHost.Hosting;

public enum ResourceState { Waiting, Starting, Running, Healthy, Restarting, NotConfigured, Failed, Stopped }

/// <summary>One node of the topology: a store, a database or a service, with the resources it waits for.</summary>
public abstract class Resource(string name)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Resource> _waitFor = [];

    public string Name { get; } = name;
    public ResourceState State { get; protected set; } = ResourceState.Waiting;
    public string Provider { get; protected set; } = "";
    public virtual string? Url => null;
    public IReadOnlyList<Resource> Dependencies => _waitFor;

    /// <summary>Completes when the resource can be used (or is known to be absent, for optional stores).</summary>
    public Task Ready => _ready.Task;

    internal void AddWaitFor(Resource resource)
    {
        if (!_waitFor.Contains(resource))
        {
            _waitFor.Add(resource);
        }
    }

    internal async Task StartAsync(HostContext context, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_waitFor.Select(r => r.Ready)).WaitAsync(cancellationToken);
            State = ResourceState.Starting;
            await StartCoreAsync(context, cancellationToken);
            _ready.TrySetResult();
        }
        catch (Exception ex)
        {
            State = ResourceState.Failed;
            _ready.TrySetException(ex);
            throw;
        }
    }

    protected abstract Task StartCoreAsync(HostContext context, CancellationToken cancellationToken);

    internal abstract Task StopAsync();
}

/// <summary>A resource that hands a connection string to the services that reference it.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    /// <summary>Null while not started, or when an optional store has no provider.</summary>
    string? ConnectionString { get; }
}

/// <summary>What every resource needs from the host: options, configuration, logs, and how to run containers.</summary>
public sealed class HostContext(AppHostOptions options, Microsoft.Extensions.Configuration.IConfiguration configuration,
    ResourceLogs logs, Docker docker, string repositoryRoot, string buildConfiguration)
{
    public AppHostOptions Options { get; } = options;
    public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } = configuration;
    public ResourceLogs Logs { get; } = logs;
    public Docker Docker { get; } = docker;
    public string RepositoryRoot { get; } = repositoryRoot;
    public string BuildConfiguration { get; } = buildConfiguration;

    /// <summary>Shared by the identity service (which signs) and every service (which validates).</summary>
    public string JwtSigningKey { get; init; } = "";
}
