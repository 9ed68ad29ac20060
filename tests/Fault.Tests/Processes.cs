using System.Globalization;
using System.Runtime.InteropServices;

namespace Fault.Tests;

/// <summary>Reads /proc: which processes are alive and which are below one (DCP's children are found by pid, never by name).</summary>
internal static class Processes
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static Dictionary<string, string> Environment(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(entry => entry.Split('=', 2)).GroupBy(kv => kv[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Length > 1 ? g.First()[1] : "", StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Every live descendant of <paramref name="root"/>, parents before children.</summary>
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
                parentOf[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
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

    /// <summary>Resident set size in bytes, open file descriptors and threads of a live process (null when gone).</summary>
    public static (long Rss, int Handles, int Threads)? Usage(int pid)
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{pid}/status");
            long Field(string name) => long.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..]
                .Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return (Field("VmRSS:") * 1024, Directory.GetFiles($"/proc/{pid}/fd").Length, (int)Field("Threads:"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}

internal static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>SIGKILL: a crash, as far as the supervisor can tell.</summary>
    public static bool Kill(int pid) => SendSignal(pid, 9) == 0;
}
