using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// The running topology: starts every resource once what it waits for is ready, prints the resource
/// table, and stops everything it started — on Ctrl+C, SIGTERM, or a failed start.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    /// <summary>Set by <see cref="Testing.DistributedApplicationTestingBuilder"/> to take the app instead of blocking in <see cref="RunAsync"/>.</summary>
    internal static readonly AsyncLocal<Testing.TestingHook?> Hook = new();

    private readonly DistributedApplicationBuilder _builder;
    private readonly HostContext _context;
    private readonly List<Resource> _started = [];
    private readonly ResourceLogs _logs;
    private int _stopped;

    internal DistributedApplication(DistributedApplicationBuilder builder, string buildConfiguration)
    {
        _builder = builder;
        if (builder.Options.Fresh && Directory.Exists(builder.Options.StateDirectory))
        {
            Directory.Delete(builder.Options.StateDirectory, recursive: true);
        }

        _logs = new ResourceLogs(Path.Combine(builder.Options.StateDirectory, "logs"));
        _context = new HostContext(builder.Options, builder.Configuration, _logs, new Docker(builder.Options.UseContainers),
            builder.RepositoryRoot, buildConfiguration)
        {
            JwtSigningKey = builder.Configuration["Jwt:SigningKey"] ?? DevelopmentSigningKey(builder.Options.StateDirectory),
        };
    }

    /// <summary>A random key kept in the state folder, so tokens survive a restart of the platform (but not --fresh).</summary>
    private static string DevelopmentSigningKey(string stateDirectory)
    {
        var file = Path.Combine(stateDirectory, "jwt-signing-key");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(stateDirectory);
            File.WriteAllText(file, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return File.ReadAllText(file).Trim();
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    public IReadOnlyList<Resource> Resources => _builder.Resources;

    public T GetResource<T>(string name) where T : Resource =>
        Resources.OfType<T>().SingleOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"No {typeof(T).Name} named '{name}'.");

    public Uri GetEndpoint(string name) =>
        new(GetResource<ProjectResource>(name).Url ?? throw new InvalidOperationException($"{name} is not running."));

    public string? GetConnectionString(string name) =>
        Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == name).ConnectionString;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var project in Resources.OfType<ProjectResource>().Where(p => p.FixedPort is > 0))
        {
            if (!Ports.IsFree(project.FixedPort!.Value))
            {
                throw new AppHostException($"Port {project.FixedPort} for {project.Name} is in use. " +
                    $"Stop what listens there, or pass --gateway-port <another port>.");
            }
        }

        foreach (var project in Resources.OfType<ProjectResource>())
        {
            project.AllocatePort();
        }

        var clock = Stopwatch.StartNew();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var starts = Resources.Select(async resource =>
        {
            lock (_started)
            {
                _started.Add(resource);
            }

            try
            {
                await resource.StartAsync(_context, failed.Token);
            }
            catch
            {
                // The first failure cancels everything still starting; StopAsync cleans up.
                await failed.CancelAsync();
                throw;
            }
        }).ToList();

        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            var reason = starts.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException)
                ?? starts.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null);
            await StopAsync();
            throw reason as AppHostException ?? new AppHostException($"Start-up failed: {reason?.Message}");
        }

        PrintTable(clock.Elapsed);
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        List<Resource> started;
        lock (_started)
        {
            started = [.. _started];
        }

        // Services first (they may flush to the stores), then the stores.
        await Task.WhenAll(started.OfType<ProjectResource>().Select(StopQuietly));
        await Task.WhenAll(started.Where(r => r is not ProjectResource).Select(StopQuietly));
        Console.Out.WriteLine("AppHost: everything it started is stopped.");
    }

    private async Task StopQuietly(Resource resource)
    {
        try
        {
            await resource.StopAsync();
        }
        catch (Exception ex)
        {
            // Stopping the rest matters more than this one error; it is shown, not hidden.
            _logs.Write(resource.Name, $"error while stopping: {ex.Message}");
        }
    }

    /// <summary>Starts, then blocks until Ctrl+C or SIGTERM, then stops everything.</summary>
    public async Task RunAsync()
    {
        if (Hook.Value is { } hook)
        {
            await hook.RunAsync(this);
            return;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after stopping the children
            stop.TrySetResult();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var cts = new CancellationTokenSource();
        _ = stop.Task.ContinueWith(_ => cts.Cancel(), TaskScheduler.Default);

        try
        {
            await StartAsync(cts.Token);
        }
        catch (OperationCanceledException) when (stop.Task.IsCompleted)
        {
            await StopAsync();
            return;
        }

        await stop.Task;
        Console.Out.WriteLine("AppHost: stopping…");
        await StopAsync();
    }

    private void PrintTable(TimeSpan elapsed)
    {
        var rows = Resources.Select(r => (r.Name, State: r.State.ToString(), r.Provider, Url: r.Url ?? "-")).ToList();
        var w1 = rows.Max(r => r.Name.Length) + 2;
        var w2 = rows.Max(r => r.State.Length) + 2;
        var w3 = rows.Max(r => r.Provider.Length) + 2;
        var table = new System.Text.StringBuilder();
        table.AppendLine();
        table.AppendLine($"{"RESOURCE".PadRight(w1)}{"STATE".PadRight(w2)}{"PROVIDER".PadRight(w3)}URL");
        foreach (var row in rows)
        {
            table.AppendLine($"{row.Name.PadRight(w1)}{row.State.PadRight(w2)}{row.Provider.PadRight(w3)}{row.Url}");
        }

        table.AppendLine();
        var gateway = Resources.OfType<ProjectResource>().FirstOrDefault(p => p.FixedPort is not null);
        table.AppendLine($"Ready in {elapsed.TotalSeconds:0.0} s. Logs: {Path.Combine(_builder.Options.StateDirectory, "logs")}");
        foreach (var note in _builder.Notes)
        {
            table.AppendLine(note);
        }

        if (gateway is not null)
        {
            table.AppendLine($"Gateway: {gateway.Url}   (Ctrl+C stops everything)");
        }

        Console.Out.Write(table.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _logs.Dispose();
    }
}
