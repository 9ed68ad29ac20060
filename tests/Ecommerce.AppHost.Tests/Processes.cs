using System.Diagnostics;

namespace Ecommerce.AppHost.Tests;

/// <summary>Reads /proc: the environment a process was started with, and the processes below one.</summary>
internal static class Processes
{
    public static Dictionary<string, string> Environment(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "", StringComparer.Ordinal);

    public static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>"pid: program args" for a failure message; empty arguments when the process has gone.</summary>
    public static string CommandLine(int pid)
    {
        var path = $"/proc/{pid}/cmdline";
        return $"{pid}: " + (File.Exists(path) ? File.ReadAllText(path).Replace('\0', ' ').Trim() : "");
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Every live descendant of <paramref name="root"/> (children, grandchildren, …).</summary>
    public static List<int> Descendants(int root)
    {
        var parentOf = new Dictionary<int, int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parentOf[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var (pid, ppid) in parentOf)
            {
                if (ppid == parent)
                {
                    result.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }

        return result;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
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
}

/// <summary>What DCP (Aspire's orchestrator) runs for one AppHost: DCP is started with <c>--monitor {AppHost pid}</c>.</summary>
internal static class Dcp
{
    /// <summary>The DCP server of that AppHost and every process below it (stores, services, the dashboard).</summary>
    public static List<int> ProcessesOf(int appHostPid)
    {
        var servers = Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Processes.IsAlive(pid))
            .Where(pid =>
            {
                var command = Processes.CommandLine(pid);
                return command.Contains("/dcp ", StringComparison.Ordinal) && command.Contains($"--monitor {appHostPid}", StringComparison.Ordinal)
                    && command.Contains("start-apiserver", StringComparison.Ordinal);
            })
            .ToList();
        return [.. servers, .. servers.SelectMany(Processes.Descendants)];
    }
}
