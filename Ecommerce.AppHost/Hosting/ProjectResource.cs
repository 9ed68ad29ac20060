using System.Diagnostics;
using System.Globalization;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// A service started from its build output (<c>dotnet {project}.dll</c>) with exactly the environment an
/// Aspire AppHost would give it. It is healthy once <c>/health</c> answers 200. A service that dies before
/// it was ever healthy fails the start-up (with its last log lines); one that dies later is restarted with
/// back-off.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "StopAsync releases them; the host owns the lifetime.")]
public sealed class ProjectResource(string name, string projectDirectory) : Resource(name)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly List<IResourceWithConnectionString> _connectionStrings = [];
    private readonly List<ProjectResource> _services = [];
    private readonly Dictionary<string, Func<string?>> _environment = [];
    private static readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private ChildProcess? _process;
    private CancellationTokenSource? _stopping;
    private Task? _supervisor;

    public string ProjectDirectory { get; } = projectDirectory;
    public int Port { get; private set; }
    internal int? FixedPort { get; set; }
    public int? Pid => _process?.Pid;
    public int Restarts { get; private set; }
    public override string? Url => Port == 0 ? null : $"http://127.0.0.1:{Port}";
    public IReadOnlyDictionary<string, string?> Environment { get; private set; } = new Dictionary<string, string?>();

    public ProjectResource WithReference(IResourceWithConnectionString store)
    {
        _connectionStrings.Add(store);
        return this;
    }

    public ProjectResource WithReference(ProjectResource service)
    {
        _services.Add(service);
        return this;
    }

    public ProjectResource WaitFor(Resource resource)
    {
        AddWaitFor(resource);
        return this;
    }

    public ProjectResource WithEnvironment(string key, string? value)
    {
        _environment[key] = () => value;
        return this;
    }

    public ProjectResource WithEnvironment(string key, Func<string?> value)
    {
        _environment[key] = value;
        return this;
    }

    /// <summary>Publishes the service on a fixed port (0: a free one), like Aspire's external HTTP endpoint.</summary>
    public ProjectResource WithExternalHttpEndpoint(int port)
    {
        FixedPort = port;
        return this;
    }

    /// <summary>Ports are known before anything starts, so a service can be told where another one will listen.</summary>
    internal void AllocatePort() => Port = FixedPort is > 0 ? FixedPort.Value : Ports.GetFree();

    /// <summary>The variables Aspire sets for a project resource, with the same names and shapes.</summary>
    internal Dictionary<string, string?> BuildEnvironment(HostContext context)
    {
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
            ["ASPNETCORE_ENVIRONMENT"] = context.Options.Environment,
            ["DOTNET_ENVIRONMENT"] = context.Options.Environment,
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
            ["OTEL_SERVICE_NAME"] = Name,
            ["ECOMMERCE_APPHOST_PID"] = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture), // services stop if the host dies
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={Name}-{Port}",
            ["Jwt__SigningKey"] = context.JwtSigningKey,
            ["Jwt__Issuer"] = "polyglot-commerce",
            ["Jwt__Audience"] = "polyglot-commerce",
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["LOGGING__CONSOLE__FORMATTEROPTIONS__SINGLELINE"] = "true",
        };
        var otlp = System.Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (!string.IsNullOrEmpty(otlp))
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        }

        foreach (var store in _connectionStrings.Where(s => s.ConnectionString is not null))
        {
            env[$"ConnectionStrings__{store.Name}"] = store.ConnectionString;
        }

        foreach (var service in _services)
        {
            env[$"services__{service.Name}__http__0"] = service.Url;
        }

        foreach (var (key, value) in _environment)
        {
            env[key] = value();
        }

        return env;
    }

    internal string AssemblyPath(HostContext context)
    {
        var directory = Path.Combine(context.RepositoryRoot, ProjectDirectory);
        var project = Path.GetFileName(ProjectDirectory.TrimEnd('/'));
        return Path.Combine(directory, "bin", context.BuildConfiguration, "net10.0", project + ".dll");
    }

    protected override async Task StartCoreAsync(HostContext context, CancellationToken cancellationToken)
    {
        var assembly = AssemblyPath(context);
        if (!File.Exists(assembly))
        {
            throw new AppHostException($"{Name}: {assembly} does not exist. Build the solution first (dotnet build), " +
                "or start the AppHost with 'dotnet run --project Ecommerce.AppHost', which builds every service.");
        }

        Provider = "project " + ProjectDirectory;
        Environment = BuildEnvironment(context);
        _stopping = new CancellationTokenSource();

        Launch(context);
        if (!await WaitHealthyAsync(cancellationToken))
        {
            var code = _process!.HasExited ? $"exited with code {await _process.Exited}" : $"was not healthy within {StartTimeout.TotalSeconds:0} s";
            var tail = string.Join("\n  ", context.Logs.Tail(Name, 25));
            await StopAsync();
            State = ResourceState.Failed;
            throw new AppHostException($"{Name} {code} while starting. Its last lines:\n  {tail}");
        }

        State = ResourceState.Healthy;
        _supervisor = SuperviseAsync(context, _stopping.Token);
    }

    private void Launch(HostContext context)
    {
        _process = ChildProcess.Start("dotnet", [AssemblyPath(context)], context.Logs.For(Name), Environment,
            Path.Combine(context.RepositoryRoot, ProjectDirectory));
        State = ResourceState.Running;
    }

    private async Task<bool> WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout && !_process!.HasExited)
        {
            try
            {
                using var response = await _probe.GetAsync(new Uri($"{Url}/health"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The probe timed out; try again.
            }

            await Task.Delay(200, cancellationToken);
        }

        return false;
    }

    /// <summary>Restarts a crashed service: 1 s, 2 s, 4 s … up to 30 s; the delay resets after a minute of health.</summary>
    private async Task SuperviseAsync(HostContext context, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var log = context.Logs.For(Name);
        while (!stopping.IsCancellationRequested)
        {
            var startedAt = Stopwatch.StartNew();
            int code;
            try
            {
                code = await _process!.Exited.WaitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (startedAt.Elapsed > TimeSpan.FromMinutes(1))
            {
                backoff = TimeSpan.FromSeconds(1);
            }

            State = ResourceState.Restarting;
            log($"exited with code {code}; restarting in {backoff.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            try
            {
                await Task.Delay(backoff, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            Restarts++;
            await _process.DisposeAsync();
            Launch(context);
            try
            {
                if (await WaitHealthyAsync(stopping))
                {
                    State = ResourceState.Healthy;
                    log("healthy again");
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal override async Task StopAsync()
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
        }


        if (_supervisor is not null)
        {
            await _supervisor;
        }

        if (_process is not null)
        {
            // SIGTERM lets ASP.NET Core drain requests and flush telemetry; after 10 s it is killed.
            await _process.StopAsync(Posix.SIGTERM, TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
        }

        _stopping?.Dispose();
        State = State == ResourceState.Failed ? State : ResourceState.Stopped;
    }
}
