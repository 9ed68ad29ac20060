using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fault.Tests;

/// <summary>
/// The whole platform as <c>./scripts/run</c> declares it (the AppHost's Program.cs), started once through
/// Aspire.Hosting.Testing on a free gateway port and a throw-away state folder. The faults are injected into the
/// processes DCP started for THIS AppHost only, found by the pid Aspire reports for each resource.
/// </summary>
public sealed partial class FaultPlatform : IAsyncLifetime
{
    public const string AdminPassword = "Fault-Str0ng-Boss-Pass-1!";
    private readonly string _state = Path.Combine(Path.GetTempPath(), "ecommerce-fault", Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;
    private readonly CancellationTokenSource _logsStop = new();
    private readonly List<Task> _logWriters = [];

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform is not started.");
    public Uri Gateway { get; private set; } = null!;

    /// <summary>Each service's own endpoint (its /health is polled directly during a fault).</summary>
    public IReadOnlyDictionary<string, Uri> ServiceEndpoints { get; private set; } = new Dictionary<string, Uri>();

    public static readonly string[] Services = ["identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api"];
    public string OrderingDb { get; private set; } = "";
    public string PaymentDb { get; private set; } = "";
    public string CatalogDb { get; private set; } = "";
    public string Redis { get; private set; } = "";
    public TimeSpan StartedIn { get; private set; }

    /// <summary>Every resource's console log of this run, one file each (FAULT_LOGS, default next to the test assembly).</summary>
    public string LogFolder { get; } = Environment.GetEnvironmentVariable("FAULT_LOGS") ?? Path.Combine(AppContext.BaseDirectory, "fault-logs");

    /// <summary>
    /// The fault suite runs when FAULT_TESTS=1: <c>./scripts/test</c> runs it on its own after the other suites (started
    /// beside them it would measure their load, not the faults), <c>./bench/faults.sh</c> runs the long form. A plain
    /// <c>dotnet test</c> of the solution reports these tests skipped.
    /// </summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("FAULT_TESTS") == "1" || Environment.GetEnvironmentVariable("FAULT_LONG") == "1";

    public const string SkipReason = "The fault suite runs on its own with FAULT_TESTS=1, after the other suites (./scripts/test does this; docs/reliability.md).";

    public async ValueTask InitializeAsync()
    {
        if (!Enabled) return; // nothing to start: every test reports itself skipped
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ecommerce_AppHost>(
            ["--gateway-port", "0", "--state", _state, "--no-containers",
             "--Parameters:jwt-signing-key", TestTokens.SigningKey, "--Parameters:admin-password", AdminPassword,
             // The workload comes from one address: the per-IP write limit would answer it 429 instead of the fault.
             "--Gateway:WritesPerMinute", "1000000",
             // Two cores: the OTLP export would compete with the workload and the faults.
             "--AppHost:Telemetry", "false"], timeout.Token);
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        KeepLogs();
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Gateway = _app.GetEndpoint("gateway", "http");
        ServiceEndpoints = Services.ToDictionary(s => s, s => _app.GetEndpoint(s, "http"));
        OrderingDb = await _app.GetConnectionStringAsync("orderingdb", timeout.Token) ?? throw new InvalidOperationException("no orderingdb");
        PaymentDb = await _app.GetConnectionStringAsync("paymentdb", timeout.Token) ?? throw new InvalidOperationException("no paymentdb");
        CatalogDb = await _app.GetConnectionStringAsync("catalogdb", timeout.Token) ?? throw new InvalidOperationException("no catalogdb");
        Redis = await _app.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("no redis");
        StartedIn = clock.Elapsed;
    }

    /// <summary>
    /// Writes what every resource prints (its console log as DCP captured it) to <see cref="LogFolder"/>: when an
    /// answer is dishonest, the exception that caused it is in the service's own log, not in the answer.
    /// </summary>
    private void KeepLogs()
    {
        if (Directory.Exists(LogFolder))
        {
            Directory.Delete(LogFolder, recursive: true);
        }

        Directory.CreateDirectory(LogFolder);
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in App.Services.GetRequiredService<DistributedApplicationModel>().Resources)
        {
            var name = resource.Name;
            _logWriters.Add(Task.Run(async () =>
            {
                await using var file = new StreamWriter(Path.Combine(LogFolder, name + ".log"), append: false) { AutoFlush = true };
                try
                {
                    // The IResource overload: DCP keys logs by the instance name (ordering-api-xyz), not the resource's.
                    await foreach (var batch in logs.WatchAsync(resource).WithCancellation(_logsStop.Token))
                    {
                        foreach (var line in batch)
                        {
                            await file.WriteLineAsync((line.IsErrorMessage ? "! " : "  ") + AnsiColours().Replace(line.Content, ""));
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // the platform is stopping
                }
            }));
        }
    }

    // The console logger colours its level names ("fail", "warn"): the files keep the text only.
    [System.Text.RegularExpressions.GeneratedRegex("\x1b\\[[0-9;]*m")]
    private static partial System.Text.RegularExpressions.Regex AnsiColours();

    /// <summary>The services' log lines that report an unhandled exception, with the lines after each (for failure messages).</summary>
    public string ErrorsInLogs(int max = 3)
    {
        var found = new List<string>();
        foreach (var path in Directory.Exists(LogFolder) ? Directory.GetFiles(LogFolder, "*.log") : [])
        {
            string[] lines;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                lines = new StreamReader(stream).ReadToEnd().Split('\n');
            }
            catch (IOException)
            {
                continue;
            }

            for (var i = 0; i < lines.Length && found.Count < max; i++)
            {
                if (lines[i].Contains("unhandled exception", StringComparison.OrdinalIgnoreCase))
                {
                    found.Add($"{Path.GetFileNameWithoutExtension(path)}: " + string.Join(" / ", lines.Skip(i).Take(6).Select(l => l.Trim())));
                }
            }
        }

        return found.Count == 0 ? "(no unhandled exception in the services' logs)" : string.Join("\n", found);
    }

    public HttpClient CreateClient(string? bearerToken = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Gateway, Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        }

        return client;
    }

    public IResource Resource(string name) =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);

    public string? State(string name) =>
        App.ResourceNotifications.TryGetCurrentState(name, out var e) ? e.Snapshot.State?.Text : null;

    /// <summary>The process id Aspire reports for an executable or project resource (DCP's <c>executable.pid</c>).</summary>
    public int Pid(string name)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(name, out var e))
        {
            throw new InvalidOperationException($"{name} has no state.");
        }

        var pid = e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        return pid is null ? throw new InvalidOperationException($"{name} reports no pid (state {e.Snapshot.State?.Text}).")
            : Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// SIGKILL of the resource's process and every process below it (PostgreSQL's backends, or the service under
    /// <c>dotnet run</c>), leaves first: a crash, as the supervisor sees it. Returns the pids killed.
    /// </summary>
    public async Task<IReadOnlyList<int>> KillAsync(string name)
    {
        var root = Pid(name);
        var tree = Processes.Descendants(root);
        tree.Reverse();
        tree.Add(root);
        foreach (var pid in tree)
        {
            Signals.Kill(pid);
        }

        await Poll.UntilAsync(() => tree.All(p => !Processes.IsAlive(p)), TimeSpan.FromSeconds(10), $"the processes of {name} to die");
        return tree;
    }

    /// <summary>Aspire's own resource command (what the dashboard's Start/Stop buttons do).</summary>
    public async Task CommandAsync(string name, string command, CancellationToken ct)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Resource(name), command, ct);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {name} failed: {result.Message}");
        }
    }

    public async Task WaitForStateAsync(string name, TimeSpan timeout, params string[] states)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await App.ResourceNotifications.WaitForResourceAsync(name, states, cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} did not reach {string.Join('/', states)} within {timeout.TotalSeconds:0} s (now {State(name)}).");
        }
    }

    public async Task WaitForHealthyAsync(string name, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} was not healthy within {timeout.TotalSeconds:0} s (now {State(name)}).");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _logsStop.CancelAsync();
        await Task.WhenAll(_logWriters);
        _logsStop.Dispose();

        if (Directory.Exists(_state))
        {
            try
            {
                Directory.Delete(_state, recursive: true);
            }
            catch (IOException)
            {
                // A store still closing its files: the folder is under /tmp.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
