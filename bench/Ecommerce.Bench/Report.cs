using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ecommerce.Bench;

/// <summary>
/// Turns the JSON lines of a lab run into the Markdown report and the PNG charts. Scenario names carry their
/// configuration in brackets: "mix 200/s [polyglot]", "mix 200/s [single-postgres]".
/// </summary>
public static class LabReport
{
    private const string DirectPrefix = "direct: ";
    private const double ProductViewGoalRps = 11_500; // the design papers' peak
    private const double ProductViewGoalP99Ms = 10;
    private const double MixGoalP95Cut = 0.73; // the case study's claimed cut in peak latency

    public static void Write(string jsonl, string directory, string machine, IReadOnlyList<string> extraLines)
    {
        Directory.CreateDirectory(directory);
        var results = File.ReadAllLines(jsonl).Where(l => l.StartsWith('{')).Select(l => JsonSerializer.Deserialize<LoadResult>(l)!).ToList();
        static (string Scenario, string Config) Split(string name)
        {
            var open = name.LastIndexOf('[');
            return open < 0 ? (name, "") : (name[..open].Trim(), name[(open + 1)..].TrimEnd(']'));
        }

        var md = new StringBuilder();
        string F(double v) => v.ToString(v >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture);
        md.AppendLine("# Bench lab run").AppendLine().AppendLine(machine).AppendLine();
        md.AppendLine("| scenario | config | offered rps | achieved rps | requests | errors | p50 ms | p95 ms | p99 ms | max ms | generator CPU |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var (scenario, config) = Split(r.Scenario);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {config} | {(r.OfferedRps > 0 ? F(r.OfferedRps) : "max")} | {F(r.AchievedRps)} | {r.Requests} | {r.Errors} | {F(r.P50Ms)} | {F(r.P95Ms)} | {F(r.P99Ms)} | {F(r.MaxMs)} | {r.GeneratorCpuShare:P0} |");
        }

        var failed = results.Where(r => r.Errors > 0).ToList();
        if (failed.Count > 0)
        {
            md.AppendLine().AppendLine("Errors: " + string.Join("; ", failed.Select(r => r.ErrorKinds is { } kinds
                ? $"{r.Scenario}: " + string.Join(", ", kinds.Select(k => $"{k.Value} × {k.Key}"))
                : $"{r.Scenario}: {r.Errors} (kind not recorded)")) + ".");
        }

        var byScenario = results.Select(r => (Parts: Split(r.Scenario), R: r)).GroupBy(x => x.Parts.Scenario).ToList();
        var pairs = byScenario
            .Select(g => (Scenario: g.Key, Poly: g.FirstOrDefault(x => x.Parts.Config == "polyglot").R, Single: g.FirstOrDefault(x => x.Parts.Config == "single-postgres").R))
            .Where(p => p.Poly is not null && p.Single is not null).ToList();
        if (pairs.Count > 0)
        {
            md.AppendLine().AppendLine("## Polyglot vs single-PostgreSQL (same run)").AppendLine();
            md.AppendLine("| scenario | p95 polyglot | p95 single | p95 cut | p99 polyglot | p99 single | p99 cut | throughput ratio |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var (scenario, poly, single) in pairs)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {scenario} | {F(poly!.P95Ms)} | {F(single!.P95Ms)} | {1 - poly.P95Ms / single.P95Ms:P0} | {F(poly.P99Ms)} | {F(single.P99Ms)} | {1 - poly.P99Ms / single.P99Ms:P0} | {poly.AchievedRps / single.AchievedRps:0.00}× |");
            }
        }

        if (pairs.Any(p => p.Poly!.OfferedRps <= 0))
        {
            md.AppendLine().AppendLine("At maximum rate each configuration runs at its own throughput: compare the throughput ratio there, latencies at the fixed rates.");
        }

        // The gateway's cost: the same scenario straight to the service ("direct: …") beside the gateway run.
        var viaGateway = results.ToDictionary(r => r.Scenario, StringComparer.Ordinal);
        var hops = results.Where(r => r.Scenario.StartsWith(DirectPrefix, StringComparison.Ordinal))
            .Select(d => (Direct: d, Gateway: viaGateway.GetValueOrDefault(d.Scenario[DirectPrefix.Length..])))
            .Where(h => h.Gateway is not null).ToList();
        if (hops.Count > 0)
        {
            md.AppendLine().AppendLine("## Through the gateway vs straight to the service (same run)").AppendLine();
            md.AppendLine("| scenario | rps gateway | rps direct | p99 gateway | p99 direct |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var (direct, gateway) in hops)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {gateway!.Scenario} | {F(gateway.AchievedRps)} | {F(direct.AchievedRps)} | {F(gateway.P99Ms)} | {F(direct.P99Ms)} |");
            }
        }

        // Every maximum-rate figure as a share of what this machine serves from a trivial endpoint.
        var trivial = results.FirstOrDefault(r => Split(r.Scenario).Config == "limits");
        var saturated = results.Where(r => r.OfferedRps <= 0 && r != trivial).ToList();
        if (trivial is not null && saturated.Count > 0)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## Against the machine's limit (trivial endpoint: {F(trivial.AchievedRps)} req/s)").AppendLine();
            md.AppendLine("| scenario at maximum rate | achieved rps | share of the trivial endpoint |");
            md.AppendLine("|---|---|---|");
            foreach (var r in saturated)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Scenario} | {F(r.AchievedRps)} | {r.AchievedRps / trivial.AchievedRps:P1} |");
            }
        }

        // The two goals of the lab's issue, checked on every run rather than read off by hand.
        var productViews = results.Where(r => r.Scenario.StartsWith("product detail, hot set", StringComparison.Ordinal)
            && Split(r.Scenario).Config == "polyglot").ToList();
        var mixes = pairs.Where(p => p.Scenario.StartsWith("mix ", StringComparison.Ordinal) && p.Poly!.OfferedRps > 0).ToList(); // at max rate the throughputs differ
        if (productViews.Count > 0 || mixes.Count > 0)
        {
            md.AppendLine().AppendLine("## Against the goals").AppendLine();
            md.AppendLine("| goal | run | measured | met |");
            md.AppendLine("|---|---|---|---|");
            foreach (var r in productViews)
            {
                var met = r.AchievedRps >= ProductViewGoalRps && r.P99Ms <= ProductViewGoalP99Ms && r.Errors == 0;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| product view through the gateway ≥ {ProductViewGoalRps:N0} req/s, p99 ≤ {ProductViewGoalP99Ms:0} ms | {Split(r.Scenario).Scenario} | {F(r.AchievedRps)} req/s, p99 {F(r.P99Ms)} ms | {(met ? "yes" : "no")} |");
            }

            foreach (var (scenario, poly, single) in mixes)
            {
                var cut = 1 - poly!.P95Ms / single!.P95Ms;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| shopping mix p95 ≥ {MixGoalP95Cut:P0} below single-PostgreSQL | {scenario} | {F(poly.P95Ms)} vs {F(single.P95Ms)} ms ({cut:P0}) | {(cut >= MixGoalP95Cut ? "yes" : "no")} |");
            }
        }

        if (extraLines.Count > 0)
        {
            md.AppendLine().AppendLine("## Machine limits and checks (same run)").AppendLine();
            foreach (var line in extraLines) md.AppendLine("- " + line);
        }

        md.AppendLine().AppendLine("![latency percentiles](latency.png)").AppendLine().AppendLine("![polyglot vs single](polyglot-vs-single.png)")
            .AppendLine().AppendLine("![throughput vs offered](throughput.png)");
        File.WriteAllText(Path.Combine(directory, "report.md"), md.ToString());

        Charts.Latency(results.Where(r => !r.Scenario.Contains("single-postgres", StringComparison.Ordinal)).ToList(), Path.Combine(directory, "latency.png"));
        Charts.Comparison(pairs.Select(p => (p.Scenario, p.Poly!, p.Single!)).ToList(), Path.Combine(directory, "polyglot-vs-single.png"));
        Charts.Throughput(results, Path.Combine(directory, "throughput.png"));
    }
}

internal static class Charts
{
    public static void Latency(IReadOnlyList<LoadResult> results, string file)
    {
        var plot = new ScottPlot.Plot();
        var series = new (string Name, Func<LoadResult, double> Value, ScottPlot.Color Color)[]
        {
            ("p50", r => r.P50Ms, ScottPlot.Colors.SteelBlue), ("p95", r => r.P95Ms, ScottPlot.Colors.Orange), ("p99", r => r.P99Ms, ScottPlot.Colors.Crimson),
        };
        for (var s = 0; s < series.Length; s++)
        {
            var bars = results.Select((r, i) => new ScottPlot.Bar { Position = i * 4 + s, Value = Math.Log10(Math.Max(0.1, series[s].Value(r))), FillColor = series[s].Color }).ToList();
            plot.Add.Bars(bars).LegendText = series[s].Name;
        }

        plot.Axes.Bottom.SetTicks(results.Select((_, i) => i * 4 + 1.0).ToArray(), results.Select(r => r.Scenario.Replace(" [polyglot]", "", StringComparison.Ordinal)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 260;
        plot.Axes.Left.Label.Text = "latency, log10(ms)";
        plot.Title("Latency percentiles per scenario (polyglot)");
        plot.ShowLegend();
        plot.SavePng(file, 1400, 800);
    }

    public static void Comparison(IReadOnlyList<(string Scenario, LoadResult Poly, LoadResult Single)> pairs, string file)
    {
        var plot = new ScottPlot.Plot();
        var poly = pairs.Select((p, i) => new ScottPlot.Bar { Position = i * 3, Value = Math.Log10(Math.Max(0.1, p.Poly.P95Ms)), FillColor = ScottPlot.Colors.SeaGreen }).ToList();
        var single = pairs.Select((p, i) => new ScottPlot.Bar { Position = i * 3 + 1, Value = Math.Log10(Math.Max(0.1, p.Single.P95Ms)), FillColor = ScottPlot.Colors.SlateGray }).ToList();
        plot.Add.Bars(poly).LegendText = "polyglot p95";
        plot.Add.Bars(single).LegendText = "single-PostgreSQL p95";
        plot.Axes.Bottom.SetTicks(pairs.Select((_, i) => i * 3 + 0.5).ToArray(), pairs.Select(p => p.Scenario).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 260;
        plot.Axes.Left.Label.Text = "p95 latency, log10(ms)";
        plot.Title("Polyglot vs single-PostgreSQL, same scenarios, same run");
        plot.ShowLegend();
        plot.SavePng(file, 1400, 800);
    }

    public static void Throughput(IReadOnlyList<LoadResult> results, string file)
    {
        var plot = new ScottPlot.Plot();
        foreach (var config in new[] { "polyglot", "single-postgres" })
        {
            var points = results.Where(r => r.Scenario.StartsWith("mix ", StringComparison.Ordinal) && r.Scenario.EndsWith($"[{config}]", StringComparison.Ordinal) && r.OfferedRps > 0)
                .OrderBy(r => r.OfferedRps).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => p.OfferedRps).ToArray(), points.Select(p => p.AchievedRps).ToArray());
            line.LegendText = config;
        }

        plot.Axes.Bottom.Label.Text = "offered requests/s (shopping mix)";
        plot.Axes.Left.Label.Text = "achieved requests/s";
        plot.Title("Throughput vs offered load");
        plot.ShowLegend();
        plot.SavePng(file, 1000, 700);
    }
}
