using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ecommerce.Testing.Servers;

namespace Ecommerce.AppHost.Tests;

/// <summary>
/// The AppHost run as its own process, as <c>./scripts/run</c> runs it: it comes up with its dashboard, answers on the
/// gateway port, and whatever stops it (Ctrl+C, SIGTERM, even SIGKILL) leaves none of the processes DCP started.
/// </summary>
public sealed class AppHostCommandLineTests(ITestOutputHelper output)
{
    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(2, "SIGINT (Ctrl+C)")]
    [InlineData(15, "SIGTERM")]
    [InlineData(9, "SIGKILL")]
    public async Task However_it_is_stopped_no_process_it_started_is_left(int signal, string name)
    {
        var state = Repository.NewStateDirectory();
        var port = Ports.GetFree();
        await using var host = AppHostProcess.Start(["--gateway-port", Port(port), "--state", state, "--no-containers"]);
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(180));

        using (var http = new HttpClient())
        {
            using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), TestContext.Current.CancellationToken);
            using var dashboard = await http.GetAsync(new Uri(host.DashboardUrl), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }

        var started = Dcp.ProcessesOf(host.Pid);
        var commands = started.Select(Processes.CommandLine).ToList();
        Assert.Contains(commands, c => c.Contains("bin/postgres", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("redis-server", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("Gateway", StringComparison.Ordinal));

        var clock = Stopwatch.StartNew();
        Assert.True(Signals.Send(host.Pid, signal));
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the AppHost did not exit after {name}; its output ends with:\n" +
            host.Output[Math.Max(0, host.Output.Length - 3000)..]);
        if (signal != 9) Assert.Equal(0, host.ExitCode);

        // DCP watches the AppHost's pid (--monitor): when it is gone, DCP stops what it started, then itself.
        await Poll.UntilAsync(() => !started.Any(Processes.IsAlive), TimeSpan.FromSeconds(90),
            "every process DCP started to end; alive: " + string.Join(", ", started.Where(Processes.IsAlive).Select(Processes.CommandLine)));
        output.WriteLine($"{name}: {started.Count} processes, all gone {clock.Elapsed.TotalSeconds:0.0} s after the signal");
        Assert.True(Ports.IsFree(port), "nothing may keep listening on the gateway port");
        Directory.Delete(state, recursive: true);
    }

    [Fact]
    public async Task Missing_PostgreSQL_binaries_fail_fast_with_one_clear_message()
    {
        var state = Repository.NewStateDirectory();
        await using var host = AppHostProcess.Start(["--gateway-port", Port(Ports.GetFree()), "--state", state, "--no-containers"],
            new Dictionary<string, string> { ["PG_BIN"] = "/nonexistent/postgresql/bin" });

        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, host.ExitCode);
        Assert.Contains("PostgreSQL server binaries were not found", host.Output, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y postgresql", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", host.Output, StringComparison.Ordinal); // a message, not a stack trace
        Assert.Empty(Dcp.ProcessesOf(host.Pid));
        Directory.Delete(state, recursive: true);
    }

    [Theory]
    [InlineData("--gateway-port", "eighty", "--gateway-port expects a whole number, not 'eighty'")]
    [InlineData("--seed", "-5", "--seed expects a whole number, not '-5'")]
    public async Task Bad_flag_values_are_refused_before_anything_starts(string flag, string value, string message)
    {
        await using var host = AppHostProcess.Start([flag, value]);

        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, host.ExitCode);
        Assert.Contains(message, host.Output, StringComparison.Ordinal);
        Assert.Empty(Dcp.ProcessesOf(host.Pid));
    }
}
