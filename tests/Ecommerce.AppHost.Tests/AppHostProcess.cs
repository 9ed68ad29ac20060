using System.Diagnostics;
using System.Text;

namespace Ecommerce.AppHost.Tests;

/// <summary>The AppHost as a user runs it: its own process, its console output captured.</summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public string DashboardUrl { get; private set; } = "";
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static AppHostProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        // As from a terminal, where Ctrl+C reaches it: a test run started in the background by a non-interactive
        // shell (as CI may do) inherits SIGINT ignored, and .NET then never installs its SIGINT handler.
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Repository.AppHostAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // As ./scripts/run starts it: the dashboard over plain HTTP on loopback, here on free ports.
        var dashboard = $"http://127.0.0.1:{Ecommerce.Testing.Servers.Ports.GetFree()}";
        info.Environment["ASPNETCORE_URLS"] = dashboard;
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{Ecommerce.Testing.Servers.Ports.GetFree()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var host = new AppHostProcess(process) { DashboardUrl = dashboard };
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.StartsWith("Ready in ", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>Waits for the "Ready in … s." line the AppHost prints when the gateway (and so everything) is healthy.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        if (await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout)) != _ready.Task)
        {
            throw new TimeoutException($"The AppHost did not become ready. Output:\n{Output}");
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A test failed midway: stop the host the way a user would, then make sure.
            Signals.Send(_process.Id, 15);
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
