using System.Globalization;
using System.Text;

namespace Fault.Tests;

/// <summary>
/// The soak (long form only, <c>bench/faults.sh soak</c>): the shopping mix at a fixed rate for FAULT_SOAK_MINUTES,
/// sampling every minute, per service, RSS, open handles, threads, and the service's established connections to
/// PostgreSQL and to Redis (its sockets matched to /proc/net/tcp). Writes a CSV and a markdown table; fails when a
/// series still grows at the end (the last third's peak above the middle third's peak by more than 25 % and a floor).
/// </summary>
public sealed class SoakTests(FaultPlatform platform)
{
    private static readonly string[] Services = ["gateway", "identity-api", "catalog-api", "ordering-api", "cart-api", "search-api"];

    [Fact]
    public async Task Soak_of_the_shopping_mix()
    {
        var minutes = int.TryParse(Environment.GetEnvironmentVariable("FAULT_SOAK_MINUTES"), CultureInfo.InvariantCulture, out var m) ? m : 0;
        Assert.SkipUnless(minutes > 0, "The soak runs in the long form only: FAULT_SOAK_MINUTES=30 (see bench/faults.sh).");
        var output = Environment.GetEnvironmentVariable("FAULT_SOAK_OUT") ?? Path.Combine(AppContext.BaseDirectory, "soak");
        Directory.CreateDirectory(output);
        var ct = TestContext.Current.CancellationToken;
        var catalog = await Workload.PrepareAsync(platform, products: 20, stockEach: 1_000_000, ct);
        var pgPort = new Npgsql.NpgsqlConnectionStringBuilder(platform.OrderingDb).Port;
        var redisPort = int.Parse(platform.Redis.Split(',')[0].Split(':')[^1], CultureInfo.InvariantCulture);
        var rows = new List<(int Minute, string Service, long Rss, int Handles, int Threads, int Postgres, int Redis, int Requests)>();
        await using (var workload = new Workload(platform, catalog, workers: 4, gap: TimeSpan.FromMilliseconds(40), maxRequestsPerWorker: int.MaxValue,
                         maxDuration: TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(30)))
        {
            for (var minute = 0; minute <= minutes; minute++)
            {
                if (minute > 0)
                {
                    await Task.Delay(TimeSpan.FromMinutes(1), ct); // the sampling interval, not a wait for a condition
                }

                foreach (var service in Services)
                {
                    var pid = ServiceProcess(service);
                    var usage = Processes.Usage(pid) ?? (0, 0, 0);
                    var (postgres, redis) = Connections(pid, pgPort, redisPort);
                    rows.Add((minute, service, usage.Rss, usage.Handles, usage.Threads, postgres, redis, workload.Count));
                }
            }
        }

        var csv = new StringBuilder("minute,service,rss_mib,handles,threads,postgres_connections,redis_connections,requests\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Minute},{r.Service},{r.Rss / 1048576.0:0.0},{r.Handles},{r.Threads},{r.Postgres},{r.Redis},{r.Requests}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(output, "soak.csv"), csv.ToString(), ct);
        var growing = new List<string>();
        foreach (var group in rows.GroupBy(r => r.Service))
        {
            var series = group.OrderBy(r => r.Minute).ToList();
            var third = Math.Max(1, series.Count / 3);
            void Check(string metric, Func<(int Minute, string Service, long Rss, int Handles, int Threads, int Postgres, int Redis, int Requests), double> value, double floor)
            {
                var middle = series.Skip(third).Take(third).Max(value);
                var last = series.Skip(2 * third).Max(value);
                if (last > middle * 1.25 && last - middle > floor)
                {
                    growing.Add($"{group.Key} {metric}: {middle:0} → {last:0}");
                }
            }

            Check("RSS MiB", r => r.Rss / 1048576.0, 20);
            Check("handles", r => r.Handles, 20);
            Check("threads", r => r.Threads, 10);
            Check("postgres connections", r => r.Postgres, 5);
            Check("redis connections", r => r.Redis, 3);
        }

        var table = new StringBuilder($"Soak: {minutes} min of the shopping mix, 4 workers, 40 ms between requests each; {rows[^1].Requests} requests.\n\n")
            .Append("| minute | service | RSS MiB | handles | threads | PostgreSQL conns | Redis conns |\n|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {r.Minute} | {r.Service} | {r.Rss / 1048576.0:0.0} | {r.Handles} | {r.Threads} | {r.Postgres} | {r.Redis} |\n");
        }

        table.Append(growing.Count == 0 ? "\nNo series still growing at the end.\n" : "\nStill growing: " + string.Join("; ", growing) + "\n");
        await File.WriteAllTextAsync(Path.Combine(output, "soak.md"), table.ToString(), ct);
        TestContext.Current.TestOutputHelper?.WriteLine(table.ToString());
        Assert.True(growing.Count == 0, "Growth that does not level off: " + string.Join("; ", growing));
    }

    private int ServiceProcess(string name)
    {
        var root = platform.Pid(name);
        return Processes.Descendants(root).Prepend(root)
            .LastOrDefault(pid => Processes.Environment(pid) is var env && (env.ContainsKey("ASPNETCORE_URLS") || env.ContainsKey("ASPNETCORE_HTTP_PORTS")), root);
    }

    /// <summary>The process's established TCP connections to each port: its socket inodes matched against /proc/net/tcp.</summary>
    private static (int Postgres, int Redis) Connections(int pid, int pgPort, int redisPort)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }

        int postgres = 0, redis = 0;
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "01" || !inodes.Contains(f[9])) continue; // 01: ESTABLISHED
                var port = int.Parse(f[2][(f[2].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (port == pgPort) postgres++;
                else if (port == redisPort) redis++;
            }
        }

        return (postgres, redis);
    }
}
