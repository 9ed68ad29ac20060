using System.Globalization;
using System.Runtime.InteropServices;

namespace Ecommerce.Testing;

/// <summary>
/// Reads /proc for the tests that start the platform: which processes are alive, what they were started with, which
/// are below one (DCP's children are found by pid, never by name), and what they use.
/// </summary>
public static class Processes
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

    /// <summary>The environment the process was started with (empty when it has gone).</summary>
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

    public static int ParentOf(int pid) => ParentFromStat(File.ReadAllText($"/proc/{pid}/stat"));

    /// <summary>"pid: program args" for a failure message; empty arguments when the process has gone.</summary>
    public static string CommandLine(int pid)
    {
        var path = $"/proc/{pid}/cmdline";
        try
        {
            return $"{pid}: " + (File.Exists(path) ? File.ReadAllText(path).Replace('\0', ' ').Trim() : "");
        }
        catch (IOException)
        {
            return $"{pid}: ";
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
                parentOf[pid] = ParentFromStat(File.ReadAllText(Path.Combine(dir, "stat")));
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

    // The command name in /proc/<pid>/stat is in parentheses and may contain spaces: fields start after the last ')'.
    private static int ParentFromStat(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
}

/// <summary>Signals to processes a test started (by pid; never by name).</summary>
public static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    public static bool Send(int pid, int signal) => SendSignal(pid, signal) == 0;

    /// <summary>SIGKILL: a crash, as far as the supervisor can tell.</summary>
    public static bool Kill(int pid) => Send(pid, 9);
}
