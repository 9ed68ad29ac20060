using System.Globalization;
using System.Text;

namespace Fault.Tests;

/// <summary>
/// The soak (long form only, <c>bench/faults.sh soak</c>): the shopping mix at a fixed rate for FAULT_SOAK_MINUTES,
/// sampling every minute, per service, RSS, the GC heap after the last collection (dotnet-counters), open handles,
/// threads, and the service's established connections to PostgreSQL and to Redis (its sockets matched to
/// /proc/net/tcp); at each third of the run the live heap (dotnet-gcdump, after a forced full GC). Writes a CSV, a
/// markdown table with each series' slope, and an SVG chart; fails when a series still grows at the end (the last
/// third's peak above the middle third's by more than 25 % and a floor; for the heap: the live heap at the end above
/// the one at two thirds by 25 % and 10 MiB).
/// </summary>
public sealed class SoakTests(FaultPlatform platform)
{
    private static readonly string[] Services = ["gateway", "identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api"];

    private sealed record Row(int Minute, string Service, double RssMib, double? HeapMib, int Handles, int Threads, int Postgres, int Redis, int Requests);

    private static readonly (string Name, string Unit, Func<Row, double?> Value, double Floor)[] Metrics =
    [
        ("RSS", "MiB", r => r.RssMib, 20), ("GC heap", "MiB", r => r.HeapMib, 20), ("threads", "", r => r.Threads, 10),
        ("handles", "", r => r.Handles, 20), ("PostgreSQL connections", "", r => r.Postgres, 5), ("Redis connections", "", r => r.Redis, 3),
    ];

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
        var samples = new List<(int Minute, string Service, long Rss, int Handles, int Threads, int Postgres, int Redis, int Requests)>();
        var heaps = Services.ToDictionary(s => s, s => GcCounters.Start(ServiceProcess(s), Path.Combine(output, $"{s}.counters.csv"),
            TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(20)));
        int requests;
        var heap = new Dictionary<string, List<double>>();
        var live = new List<(int Minute, string Service, double? Mib)>();
        try
        {
            await using var workload = new Workload(platform, catalog, workers: 4, gap: TimeSpan.FromMilliseconds(40), maxRequestsPerWorker: int.MaxValue,
                maxDuration: TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(30));
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
                    samples.Add((minute, service, usage.Rss, usage.Handles, usage.Threads, postgres, redis, workload.Count));
                }

                // The live heap (after a forced full GC) at each third of the run: the leak check itself.
                if (minute > 0 && minute % Math.Max(1, minutes / 3) == 0)
                {
                    foreach (var service in Services)
                    {
                        live.Add((minute, service, await LiveHeap.MeasureAsync(ServiceProcess(service), Path.Combine(output, $"{service}-{minute}.gcdump"), ct)));
                    }
                }
            }

            await workload.StopAsync();
            requests = workload.Count;
            foreach (var (service, counters) in heaps)
            {
                heap[service] = counters.ReadWhenDone();
            }
        }
        finally
        {
            foreach (var counters in heaps.Values)
            {
                counters.Dispose(); // a tool still running (the soak failed) is stopped by the pid this test started
            }
        }

        // dotnet-counters reports the heap after each full interval: its k-th value belongs to minute k + 1.
        var rows = samples.Select(s => new Row(s.Minute, s.Service, s.Rss / 1048576.0,
            s.Minute >= 1 && heap[s.Service].Count >= s.Minute ? heap[s.Service][s.Minute - 1] : null, s.Handles, s.Threads, s.Postgres, s.Redis, s.Requests)).ToList();
        await File.WriteAllTextAsync(Path.Combine(output, "soak.csv"), Csv(rows), ct);
        await File.WriteAllTextAsync(Path.Combine(output, "soak.svg"), SoakChart.Svg(rows.Select(r => (r.Minute, r.Service, Metrics.Select(x => x.Value(r)).ToArray())).ToList(),
            Metrics.Select(x => x.Unit.Length > 0 ? $"{x.Name} ({x.Unit})" : x.Name).ToArray(), Services), ct);

        var growing = new List<string>();
        var slopes = new StringBuilder("| service | " + string.Join(" | ", Metrics.Select(x => $"{x.Name} slope/min (whole run; last half)")) + " |\n|---|" + string.Concat(Metrics.Select(_ => "---|")) + "\n");
        foreach (var group in rows.GroupBy(r => r.Service))
        {
            var series = group.OrderBy(r => r.Minute).ToList();
            slopes.Append("| ").Append(group.Key);
            foreach (var (name, unit, value, floor) in Metrics)
            {
                var points = series.Where(r => value(r) is not null).Select(r => (X: (double)r.Minute, Y: value(r)!.Value)).ToList();
                slopes.Append(CultureInfo.InvariantCulture, $" | {Slope(points):+0.00;-0.00;0.00}; {Slope(points.Skip(points.Count / 2).ToList()):+0.00;-0.00;0.00}");
                var third = Math.Max(1, points.Count / 3);
                // The heap after the last GC includes gen2 garbage no full GC has collected yet: the live heap judges it.
                if (points.Count < 3 || name == "GC heap") continue;
                var middle = points.Skip(third).Take(third).Max(p => p.Y);
                var last = points.Skip(2 * third).Max(p => p.Y);
                if (last > middle * 1.25 && last - middle > floor)
                {
                    growing.Add($"{group.Key} {name}: {middle:0} → {last:0} {unit}");
                }
            }

            slopes.Append(" |\n");
            var checkpoints = live.Where(l => l.Service == group.Key && l.Mib is not null).OrderBy(l => l.Minute).ToList();
            if (checkpoints.Count >= 3 && checkpoints[^1].Mib > checkpoints[^2].Mib * 1.25 && checkpoints[^1].Mib - checkpoints[^2].Mib > 10)
            {
                growing.Add($"{group.Key} live heap: {checkpoints[^2].Mib:0.0} → {checkpoints[^1].Mib:0.0} MiB");
            }
        }

        var liveTable = new StringBuilder("| service | " + string.Join(" | ", live.Select(l => l.Minute).Distinct().Order().Select(m => $"live heap at {m} min (MiB)")) + " |\n|---|"
            + string.Concat(live.Select(l => l.Minute).Distinct().Select(_ => "---|")) + "\n");
        foreach (var group in live.GroupBy(l => l.Service))
        {
            liveTable.Append("| ").Append(group.Key).Append(string.Concat(group.OrderBy(l => l.Minute).Select(l => l.Mib is { } v ? $" | {v.ToString("0.0", CultureInfo.InvariantCulture)}" : " | -"))).Append(" |\n");
        }

        var table = new StringBuilder($"Soak: {minutes} min of the shopping mix, 4 workers, 40 ms between requests each; {requests} requests. Chart: soak.svg.\n\n")
            .Append(slopes).Append('\n')
            .Append("Live heap (dotnet-gcdump: a forced full GC, then what is still referenced):\n\n").Append(liveTable).Append('\n')
            .Append("| minute | service | RSS MiB | GC heap MiB | handles | threads | PostgreSQL conns | Redis conns |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {r.Minute} | {r.Service} | {r.RssMib:0.0} | {(r.HeapMib is { } h ? h.ToString("0.0", CultureInfo.InvariantCulture) : "-")} | {r.Handles} | {r.Threads} | {r.Postgres} | {r.Redis} |\n");
        }

        table.Append(growing.Count == 0 ? "\nNo series still growing at the end.\n" : "\nStill growing: " + string.Join("; ", growing) + "\n");
        await File.WriteAllTextAsync(Path.Combine(output, "soak.md"), table.ToString(), ct);
        TestContext.Current.TestOutputHelper?.WriteLine(table.ToString());
        Assert.True(heap.Values.All(h => h.Count >= minutes - 1), "dotnet-counters reported no GC heap for some services: " +
            string.Join(", ", heap.Where(kv => kv.Value.Count < minutes - 1).Select(kv => $"{kv.Key} {kv.Value.Count} values")));
        Assert.True(live.Count(l => l.Mib is not null) >= Services.Length * 3, "dotnet-gcdump measured too few live heaps (see *.gcdump.log)");
        Assert.True(growing.Count == 0, "Growth that does not level off: " + string.Join("; ", growing));
    }

    private static string Csv(IEnumerable<Row> rows)
    {
        var csv = new StringBuilder("minute,service,rss_mib,gc_heap_mib,handles,threads,postgres_connections,redis_connections,requests\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Minute},{r.Service},{r.RssMib:0.0},{r.HeapMib:0.0},{r.Handles},{r.Threads},{r.Postgres},{r.Redis},{r.Requests}\n");
        }

        return csv.ToString();
    }

    /// <summary>Least-squares slope (units per minute); 0 for fewer than two points.</summary>
    private static double Slope(List<(double X, double Y)> points)
    {
        if (points.Count < 2) return 0;
        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        var den = points.Sum(p => (p.X - mx) * (p.X - mx));
        return den == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / den;
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
