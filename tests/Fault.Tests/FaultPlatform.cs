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
public sealed class FaultPlatform : IAsyncLifetime
{
    public const string AdminPassword = "Fault-Str0ng-Boss-Pass-1!";
    private readonly string _state = Path.Combine(Path.GetTempPath(), "ecommerce-fault", Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform is not started.");
    public Uri Gateway { get; private set; } = null!;
    public string OrderingDb { get; private set; } = "";
    public string Redis { get; private set; } = "";
    public TimeSpan StartedIn { get; private set; }

    /// <summary>
    /// The fault suite runs when FAULT_TESTS=1 (bench/faults.sh sets it). It is not yet reliable enough for every CI run:
    /// one of three runs of the short form was green on 2026-12-01, and one PostgreSQL kill gave a plain 500 not yet
    /// explained (docs/reliability.md). Until both are fixed, the default test run reports these tests as skipped.
    /// </summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("FAULT_TESTS") == "1" || Environment.GetEnvironmentVariable("FAULT_LONG") == "1";

    public const string SkipReason = "The fault suite runs with FAULT_TESTS=1 (./bench/faults.sh): not yet reliable enough for every CI run (docs/reliability.md).";

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
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Gateway = _app.GetEndpoint("gateway", "http");
        OrderingDb = await _app.GetConnectionStringAsync("orderingdb", timeout.Token) ?? throw new InvalidOperationException("no orderingdb");
        Redis = await _app.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("no redis");
        StartedIn = clock.Elapsed;
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

public static class Poll
{
    /// <summary>Polls every 100 ms until the condition holds; a TimeoutException naming it after the deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Async condition; returns how long it took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(200);
        }

        return clock.Elapsed;
    }
}
