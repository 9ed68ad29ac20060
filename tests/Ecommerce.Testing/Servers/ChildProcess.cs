using System.Diagnostics;

namespace Ecommerce.Testing.Servers;

/// <summary>
/// A process this host started: its output goes line by line to a callback, it can be stopped
/// gracefully (a signal, then a kill after a grace period), and nothing else is ever signalled.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    private const string SetsidPath = "/usr/bin/setsid";

    public int Pid { get; private set; }
    public Task<int> Exited => _exited.Task;
    public bool HasExited => _exited.Task.IsCompleted;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, Action<string> onLine,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        // Its own session (setsid execs, so the PID is still the program's): a terminal's Ctrl+C reaches
        // only the host, which then stops services before the stores they write to.
        var ownArguments = arguments.ToList();
        if (File.Exists(SetsidPath))
        {
            ownArguments.Insert(0, fileName);
            fileName = SetsidPath;
        }

        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in ownArguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.Exited += (_, _) =>
        {
            // Exited can fire before the last output lines are read; WaitForExit() drains them.
            process.WaitForExit();
            child._exited.TrySetResult(process.ExitCode);
        };
        process.Start();
        child.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then kills the process tree.</summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }

        Posix.Signal(Pid, signal);
        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill: nothing left to stop.
            }

            await Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(Posix.SIGTERM, TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
