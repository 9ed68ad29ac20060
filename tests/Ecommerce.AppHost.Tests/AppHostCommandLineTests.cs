using System.Net;
using System.Net.Sockets;
using Ecommerce.AppHost.Hosting;

namespace Ecommerce.AppHost.Tests;

/// <summary>The AppHost run as its own process: it comes up, answers on the gateway port, and stops everything on a signal.</summary>
public sealed class AppHostCommandLineTests
{
    [Theory]
    [InlineData(2, "SIGINT (Ctrl+C)")]
    [InlineData(15, "SIGTERM")]
    public async Task A_signal_stops_every_process_it_started(int signal, string name)
    {
        var state = Repository.NewStateDirectory();
        var port = Ports.GetFree();
        await using var host = AppHostProcess.Start(["--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", state, "--no-containers"]);
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));

        using (var http = new HttpClient())
        {
            using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var children = Processes.Descendants(host.Pid);
        Assert.True(children.Count >= 3, $"expected postgres, redis and the gateway below the AppHost, found {children.Count}");

        Assert.True(Signals.Send(host.Pid, signal));
        // A stop is bounded at ~50 s by design (services: 10 s grace, kill, 10 s; then stores: 20 s grace, kill, 10 s).
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the AppHost did not exit after {name}; still alive: "
            + string.Join(", ", children.Where(Processes.IsAlive).Select(Processes.CommandLine))
            + $"; its output ends with:\n{host.Output[Math.Max(0, host.Output.Length - 3000)..]}");

        Assert.Equal(0, host.ExitCode);
        Assert.DoesNotContain(children, Processes.IsAlive);
        Assert.Contains("everything it started is stopped", host.Output, StringComparison.Ordinal);
        Directory.Delete(state, recursive: true);
    }

    [Fact]
    public async Task A_gateway_port_in_use_fails_fast_with_one_clear_message()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;
        var state = Repository.NewStateDirectory();

        await using var host = AppHostProcess.Start(["--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", state, "--no-containers"]);

        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, host.ExitCode);
        Assert.Contains($"Port {port} for gateway is in use", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", host.Output, StringComparison.Ordinal); // a message, not a stack trace
        Assert.Empty(Processes.Descendants(host.Pid));
    }

    [Fact]
    public async Task Missing_PostgreSQL_binaries_fail_fast_and_leave_nothing_running()
    {
        var state = Repository.NewStateDirectory();
        var port = Ports.GetFree();

        await using var host = AppHostProcess.Start(
            ["--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", state, "--no-containers"],
            new Dictionary<string, string> { ["PG_BIN"] = "/nonexistent/postgresql/bin" });

        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, host.ExitCode);
        Assert.Contains("PostgreSQL server binaries were not found", host.Output, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y postgresql", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", host.Output, StringComparison.Ordinal);
        Assert.Empty(Processes.Descendants(host.Pid));
        Assert.True(Ports.IsFree(port), "nothing may keep listening on the gateway port");
    }

    [Fact]
    public async Task Unknown_flag_values_are_rejected_with_usage()
    {
        await using var host = AppHostProcess.Start(["--gateway-port", "eighty"]);

        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, host.ExitCode);
        Assert.Contains("--gateway-port expects a whole number, not 'eighty'", host.Output, StringComparison.Ordinal);
    }
}

/// <summary>Even a host killed without warning leaves no service behind.</summary>
public sealed class AppHostKilledTests
{
    [Fact]
    public async Task Services_stop_by_themselves_when_the_AppHost_is_killed()
    {
        var state = Repository.NewStateDirectory();
        var port = Ports.GetFree();
        await using var host = AppHostProcess.Start(["--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", state, "--no-containers"]);
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        var children = Processes.Descendants(host.Pid);
        var services = children.Where(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains(".dll", StringComparison.Ordinal)).ToList();
        var stores = children.Except(services).Where(pid => Processes.ParentOf(pid) == host.Pid).ToList(); // postmaster, redis-server
        Assert.NotEmpty(services);

        Assert.True(Signals.Kill(host.Pid));
        try
        {
            await Processes.WaitUntilAsync(() => !services.Any(Processes.IsAlive), TimeSpan.FromSeconds(30), "the orphaned services to stop");
        }
        finally
        {
            // PostgreSQL and Redis cannot watch the host: the next start stops them (pid files); here the test does.
            foreach (var pid in stores.Where(Processes.IsAlive))
            {
                Signals.Send(pid, 15);
            }

            await Processes.WaitUntilAsync(() => !stores.Any(Processes.IsAlive), TimeSpan.FromSeconds(30), "the stores to stop");
        }

        Directory.Delete(state, recursive: true);
    }
}
