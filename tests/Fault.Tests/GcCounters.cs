using System.Diagnostics;
using System.Globalization;

namespace Fault.Tests;

/// <summary>
/// The managed heap of one service during the soak, read by <c>dotnet-counters</c> (the maintained diagnostics tool,
/// pinned in dotnet-tools.json) from the runtime's own <c>System.Runtime</c> meter: <c>dotnet.gc.last_collection.heap.size</c>
/// summed over the generations, once per interval. /proc cannot tell the GC heap from the rest of the RSS.
/// </summary>
public sealed class GcCounters : IDisposable
{
    private readonly Process _tool;
    private readonly string _csv;

    private GcCounters(Process tool, string csv) => (_tool, _csv) = (tool, csv);

    public static GcCounters Start(int pid, string csv, TimeSpan interval, TimeSpan duration)
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root, // where dotnet-tools.json pins the tool
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "tool", "run", "dotnet-counters", "--", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture),
                     "--counters", "System.Runtime[dotnet.gc.last_collection.heap.size]", "--refresh-interval", ((int)interval.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                     "--format", "csv", "-o", csv, "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var tool = Process.Start(info) ?? throw new InvalidOperationException("dotnet-counters did not start");
        // What the tool says goes next to its file (a failure to attach is explained there).
        var log = new StreamWriter(csv + ".log") { AutoFlush = true };
        tool.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        tool.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        tool.Exited += (_, _) => { lock (log) log.Dispose(); };
        tool.EnableRaisingEvents = true;
        tool.BeginOutputReadLine();
        tool.BeginErrorReadLine();
        return new GcCounters(tool, csv);
    }

    /// <summary>Waits for the tool to end and reads the heap after each interval, in MiB.</summary>
    public List<double> ReadWhenDone()
    {
        // It stops by itself after its --duration (set just past the soak) and writes the file; kill only a late one.
        if (!_tool.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            _tool.Kill(entireProcessTree: true); // only the process this class started, and its children
            _tool.WaitForExit();
        }

        if (!File.Exists(_csv)) return [];
        // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment; one row per generation per interval.
        return File.ReadLines(_csv).Skip(1).Select(line => line.Split(','))
            .Where(f => f.Length >= 5 && f[2].StartsWith("dotnet.gc.last_collection.heap.size", StringComparison.Ordinal))
            .GroupBy(f => f[0]).Select(g => g.Sum(f => double.Parse(f[^1], CultureInfo.InvariantCulture)) / 1048576.0).ToList();
    }

    public void Dispose()
    {
        if (!_tool.HasExited)
        {
            _tool.Kill(entireProcessTree: true);
        }

        _tool.Dispose();
    }
}
