using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fault.Tests;

/// <summary>
/// A service's live managed heap, measured by <c>dotnet-gcdump</c> (pinned in dotnet-tools.json): collecting a dump
/// forces a full blocking GC, so what it reports is what is still referenced. The heap-after-last-GC counter also
/// counts gen2 garbage a full GC has not yet reclaimed, so only this can tell a leak from a lazy collector.
/// </summary>
public static partial class LiveHeap
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    /// <returns>The live heap in MiB, or null when the tool could not attach (the reason is in <paramref name="dumpPath"/>.log).</returns>
    public static async Task<double?> MeasureAsync(int pid, string dumpPath, CancellationToken ct)
    {
        var collected = await RunAsync(["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dumpPath], ct);
        await File.WriteAllTextAsync(dumpPath + ".log", collected, ct);
        if (!File.Exists(dumpPath)) return null;
        var report = await RunAsync(["report", dumpPath], ct);
        File.Delete(dumpPath); // only the figure is kept: dumps are tens of MiB each
        var match = HeapBytes().Match(report);
        return match.Success ? long.Parse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) / 1048576.0 : null;
    }

    private static async Task<string> RunAsync(string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["tool", "run", "dotnet-gcdump", "--", .. args])
        {
            info.ArgumentList.Add(arg);
        }

        using var tool = Process.Start(info) ?? throw new InvalidOperationException("dotnet-gcdump did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        var output = tool.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = tool.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await tool.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            tool.Kill(entireProcessTree: true); // the process this method started, and only it
            throw;
        }

        return await output + await error;
    }

    [GeneratedRegex(@"([\d,]+)\s+GC Heap bytes")]
    private static partial Regex HeapBytes();
}
