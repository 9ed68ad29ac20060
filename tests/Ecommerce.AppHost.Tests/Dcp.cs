namespace Ecommerce.AppHost.Tests;

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
