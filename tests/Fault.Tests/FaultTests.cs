using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fault.Tests;

/// <summary>
/// Each fault once against one running platform: a bounded mixed workload runs through the gateway while the fault is
/// injected and removed; then the behaviour during it (fast honest 503s, health going unhealthy and back, recovery
/// without restarting anything else) and the stores (no order lost or doubled, no stock drift, outbox drained, streams
/// consumed, projections caught up) are checked. FAULT_LONG=1 adds every service and combined faults.
/// </summary>
public sealed class FaultTests(FaultPlatform platform)
{
    private static readonly string[] Services = ["gateway", "identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api"];
    // A pay request that died leaves its attempt Pending until recovery settles it (Payments:PendingTimeout 30 s + RecoveryInterval 10 s).
    private static readonly TimeSpan ConvergeWithin = TimeSpan.FromSeconds(60);
    private const double FastAnswerMilliseconds = 10_000;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static bool Long => Environment.GetEnvironmentVariable("FAULT_LONG") == "1";

    public static TheoryData<string> KilledServices => Long ? new TheoryData<string>(Services) : new TheoryData<string>("ordering-api");

    [Fact]
    public Task Sigkill_of_postgresql() => (Task)RunAsync("SIGKILL postgres", ["postgres"], KillAndStartAsync("postgres"), expectUnhealthy: true);

    [Fact]
    public async Task Sigkill_of_redis()
    {
        Assert.SkipUnless(FaultPlatform.Enabled, FaultPlatform.SkipReason);
        var probeSku = (await Workload.PrepareAsync(platform, products: 1, stockEach: 10, Ct)).Products[0].Sku;
        var oldCarts = new List<(Guid Customer, string Cart)>();
        for (var i = 0; i < 5; i++)
        {
            var customer = Guid.CreateVersion7();
            using var client = platform.CreateClient(TestTokens.Customer(customer));
            using var created = await client.PostAsync("/api/carts", null, Ct);
            var cart = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct)).GetProperty("id").GetString()!;
            using var added = await client.PostAsJsonAsync($"/api/carts/{cart}/items", new { sku = probeSku, quantity = 2 }, Ct);
            Assert.True(added.IsSuccessStatusCode, $"an old cart's line: {(int)added.StatusCode}");
            oldCarts.Add((customer, cart));
        }

        await using var probe = await DurabilityProbe.StartAsync(platform, probeSku, Ct);
        // A longer healthy baseline than the other faults: the old carts are seconds outside the fsync window at the kill.
        await RunAsync("SIGKILL redis", ["redis"], async hold =>
        {
            probe.MarkKill();
            await KillAsync("redis");
            await hold();
            await StartAsync("redis");
        }, expectUnhealthy: true, baseline: 300);

        // The AOF window, measured by a writer that wrote right up to the kill (appendfsync everysec promises about 1 s, 2 at worst).
        var (acknowledged, lostWrites, window, probeLine) = await probe.MeasureAsync(Ct);
        // Carts written well before the kill (outside the fsync window) must all be there, with their lines.
        var lost = new List<string>();
        foreach (var (customer, cart) in oldCarts)
        {
            using var client = platform.CreateClient(TestTokens.Customer(customer), TimeSpan.FromSeconds(15));
            using var response = await client.GetAsync($"/api/carts/{cart}/lines", Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode != HttpStatusCode.OK || !text.Contains(probeSku, StringComparison.Ordinal)) lost.Add($"{cart}: {(int)response.StatusCode} {text}");
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"Redis SIGKILL: {oldCarts.Count} carts written before the workload started, {lost.Count} lost. {probeLine}");
        Report.Append("<!-- " + line + " -->");
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Assert.True(acknowledged > 0, "the durability probe wrote nothing before the kill: " + line);
        Assert.True(lost.Count == 0 && (lostWrites == 0 || window <= 2.0), line + " " + string.Join("; ", lost));
    }

    [Theory]
    [MemberData(nameof(KilledServices))]
    public Task Sigkill_of_a_service(string service) => (Task)RunAsync($"SIGKILL {service}", [service], KillAndStartAsync(service), expectUnhealthy: true);

    [Fact]
    public Task Stop_and_start_of_redis_through_aspire_commands() => (Task)RunAsync("stop/start redis (Aspire commands)", ["redis"], async hold =>
    {
        await platform.CommandAsync("redis", KnownResourceCommands.StopCommand, Ct);
        await platform.WaitForStateAsync("redis", TimeSpan.FromSeconds(30), KnownResourceStates.Exited, KnownResourceStates.Finished);
        await hold();
        await platform.CommandAsync("redis", KnownResourceCommands.StartCommand, Ct);
    }, expectUnhealthy: true);

    [Fact]
    public Task Latency_and_errors_between_services_with_polly_chaos() => (Task)RunAsync("Polly chaos in ordering-api's calls (latency 50 %/300 ms, faults 30 %, 503s 20 %)", ["ordering-api"], async hold =>
    {
        // The AppHost hands Chaos:<service>:* to the service as ServiceDefaults__Chaos__* at every start of it.
        var settings = new Dictionary<string, string>
        {
            ["Enabled"] = "true", ["LatencyRate"] = "0.5", ["LatencyMilliseconds"] = "300", ["FaultRate"] = "0.3", ["OutcomeRate"] = "0.2",
        };
        var config = platform.App.Services.GetRequiredService<IConfiguration>();
        foreach (var (key, value) in settings) config[$"Chaos:ordering-api:{key}"] = value;
        try
        {
            await RestartAsync("ordering-api");
            Assert.True(Processes.Environment(ServiceProcess("ordering-api")).TryGetValue("ServiceDefaults__Chaos__Enabled", out var on) && on == "true",
                "ordering-api was restarted without the chaos settings");
            await hold();
        }
        finally
        {
            foreach (var key in settings.Keys) config[$"Chaos:ordering-api:{key}"] = null;
            await RestartAsync("ordering-api");
        }

        Assert.False(Processes.Environment(ServiceProcess("ordering-api")).ContainsKey("ServiceDefaults__Chaos__Enabled"), "chaos is still on in ordering-api");
    }, expectUnhealthy: false);

    [Fact]
    public async Task Combined_sigkill_of_postgresql_redis_and_ordering()
    {
        Assert.SkipUnless(Long, "Combined faults run in the long form only (FAULT_LONG=1): the short CI form injects each fault once.");
        await RunAsync("SIGKILL postgres + redis + ordering-api", ["postgres", "redis", "ordering-api"], async hold =>
        {
            await KillAsync("postgres");
            await KillAsync("redis");
            await KillAsync("ordering-api");
            await hold();
            await StartAsync("postgres");
            await StartAsync("redis");
            await StartAsync("ordering-api");
        }, expectUnhealthy: true);
    }

    private Func<Func<Task>, Task> KillAndStartAsync(string name) => async hold =>
    {
        await KillAsync(name);
        await hold();
        await StartAsync(name);
    };

    private async Task KillAsync(string name)
    {
        var pids = await platform.KillAsync(name);
        TestContext.Current.SendDiagnosticMessage($"{name}: SIGKILL {string.Join(',', pids)}");
        // DCP notices the exit; nothing restarts it by itself (see docs/reliability.md).
        try
        {
            await platform.WaitForStateAsync(name, TimeSpan.FromSeconds(30), KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart);
        }
        catch (TimeoutException ex)
        {
            // Seen once in the long form (ordering-api, after six other kills): the processes were gone but Aspire still
            // said Running. Aspire's stop makes DCP settle it, so the fault goes on and the next test gets a whole platform.
            TestContext.Current.SendDiagnosticMessage($"{ex.Message} Stopping it with Aspire's stop command.");
            await platform.CommandAsync(name, KnownResourceCommands.StopCommand, Ct);
            await platform.WaitForStateAsync(name, TimeSpan.FromSeconds(30), KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart);
        }
    }

    private async Task RestartAsync(string name)
    {
        var before = platform.Pid(name);
        await platform.CommandAsync(name, KnownResourceCommands.RestartCommand, Ct);
        await Poll.UntilAsync(() => platform.State(name) == KnownResourceStates.Running && platform.Pid(name) != before, TimeSpan.FromSeconds(90), $"{name} to run again");
        await platform.WaitForHealthyAsync(name, TimeSpan.FromSeconds(90));
    }

    /// <summary>The service's own process: the resource's pid, or the process below it when DCP started it through a launcher.</summary>
    private int ServiceProcess(string name)
    {
        var root = platform.Pid(name);
        return Processes.Descendants(root).Prepend(root).Last(pid => Processes.Environment(pid).ContainsKey("ASPNETCORE_URLS") || Processes.Environment(pid).ContainsKey("ASPNETCORE_HTTP_PORTS"));
    }

    private async Task StartAsync(string name)
    {
        await platform.CommandAsync(name, KnownResourceCommands.StartCommand, Ct);
        await platform.WaitForStateAsync(name, TimeSpan.FromSeconds(90), KnownResourceStates.Running);
    }

    /// <param name="faulted">Resources the fault stops; every other service must keep its process (recovery without restart).</param>
    /// <param name="fault">Injects the fault, calls hold (the fault lasts while the workload sees it), then removes it.</param>
    /// <returns>Every recorded request and when the fault was injected (workload clock).</returns>
    private async Task<(IReadOnlyList<Sample> Samples, TimeSpan FaultStart)> RunAsync(string name, string[] faulted, Func<Func<Task>, Task> fault, bool expectUnhealthy,
        int baseline = 40)
    {
        Assert.SkipUnless(FaultPlatform.Enabled, FaultPlatform.SkipReason);
        var catalog = await Workload.PrepareAsync(platform, products: 3, stockEach: 60, Ct);
        var untouched = Services.Where(s => !faulted.Contains(s)).ToDictionary(s => s, platform.Pid);
        TimeSpan faultStart = default, faultEnd = default, healthyAt = default;
        var sawUnhealthy = false;
        IReadOnlyList<Sample> samples;
        IReadOnlyList<HealthSample> health;
        await using (var workload = new Workload(platform, catalog))
        {
            try
            {
                await Poll.UntilAsync(() => workload.Count >= baseline, TimeSpan.FromSeconds(30), $"{baseline} requests of healthy baseline");
                faultStart = workload.Now;
                await fault(async () =>
                {
                    // The fault lasts until health said so and 30 requests were answered during it (bounded: 20 s).
                    var during = workload.Count;
                    await Poll.UntilAsync(() => workload.Count >= during + 30 && (!expectUnhealthy || workload.Health.Any(h => h.At > faultStart && h.Status != 200))
                        || workload.Now - faultStart > TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(25), "requests during the fault");
                });
                faultEnd = workload.Now;
                await Poll.UntilAsync(() => workload.Health.Any(h => h.At > faultEnd && h.Status == 200), TimeSpan.FromSeconds(90), "the gateway's /health to answer 200 again");
                healthyAt = workload.Health.First(h => h.At > faultEnd && h.Status == 200).At;
                sawUnhealthy = workload.Health.Any(h => h.At > faultStart && h.At < healthyAt && h.Status != 200);
                // After the fault: the mix must succeed again (views, cart writes, checkouts) without restarting anything else.
                await Poll.UntilAsync(() => workload.Samples.Count(s => s.At > healthyAt && s.Status is >= 200 and < 300) >= 40
                        && new[] { "view", "cart", "checkout" }.All(op => workload.Samples.Any(s => s.At > healthyAt && s.Op == op && s.Status is >= 200 and < 300 or 409)),
                    TimeSpan.FromSeconds(60), "40 successful requests of every kind after the fault");
                // Every service's own /health is back to 200 (asked directly, not through the gateway).
                await Poll.UntilAsync(() => FaultPlatform.Services.All(service => workload.ServiceHealth.LastOrDefault(h => h.Service == service) is { Status: 200 } last && last.At > healthyAt),
                    TimeSpan.FromSeconds(30), "every service's /health to answer 200 again");
            }
            finally
            {
                await workload.StopAsync();
                samples = workload.Samples;
                health = workload.ServiceHealth;
                // Whatever happened above, leave every faulted resource running for the next test.
                foreach (var resource in faulted)
                {
                    if (platform.State(resource) == KnownResourceStates.Running && !Processes.IsAlive(platform.Pid(resource)))
                    {
                        await platform.CommandAsync(resource, KnownResourceCommands.StopCommand, Ct); // dead, but not yet seen so
                        await platform.WaitForStateAsync(resource, TimeSpan.FromSeconds(30), KnownResourceStates.Exited, KnownResourceStates.Finished);
                    }

                    if (platform.State(resource) != KnownResourceStates.Running)
                    {
                        await StartAsync(resource);
                    }
                }
            }
        }

        var verdict = await Invariants.CheckAsync(platform, catalog, samples, ConvergeWithin, Ct);
        var unhealthyServices = FaultPlatform.Services.Where(service => health.Any(h => h.Service == service && h.At >= faultStart && h.At < healthyAt && h.Status != 200)).ToList();
        var during = samples.Where(s => s.At >= faultStart && s.At < healthyAt).ToList();
        var after = samples.Where(s => s.At >= healthyAt).ToList();
        var row = Report.Row(name, during, after, healthyAt - faultEnd, verdict, unhealthyServices);
        Report.Append(row);
        TestContext.Current.SendDiagnosticMessage(row);
        TestContext.Current.TestOutputHelper?.WriteLine(row + "\n" + verdict);

        // The stores: nothing lost, nothing doubled, no drift, converged.
        Assert.True(verdict.Violations.Count == 0, $"{name}: {verdict}");
        // Behaviour during the fault: honest, fast failures; health turned unhealthy and back.
        if (expectUnhealthy)
        {
            Assert.True(sawUnhealthy, $"{name}: the gateway's /health never turned unhealthy during the fault");
        }

        if (faulted.Contains("postgres") || faulted.Contains("redis"))
        {
            Assert.True(unhealthyServices.Count > 0, $"{name}: no service's own /health turned unhealthy while its store was down");
        }

        var dishonest = during.Concat(after).Where(s => s.Status >= 500 && !(s.Status == 503 && s.RetryAfter && s.Problem)).ToList();
        var gatewayDown = faulted.Contains("gateway");
        Assert.True(dishonest.Count == 0 || gatewayDown, $"{name}: {dishonest.Count} answers ≥ 500 were not a 503 problem with Retry-After, e.g. " +
            string.Join(" | ", dishonest.Take(3).Select(s => $"{s.Op} {s.Status}: {s.Error}")) + "\n" + platform.ErrorsInLogs());
        // Fast, honest failures: an outage is answered within the store client's own limits (PostgreSQL's brief retries
        // about 3 s, Redis's 5 s timeout) plus queueing on two cores, far inside the request budgets (15 s services,
        // 20 s gateway), which are backstops, not the expected path.
        var slow = during.Where(s => s.Milliseconds > FastAnswerMilliseconds).ToList();
        Assert.True(slow.Count == 0, $"{name}: {slow.Count} requests took over {FastAnswerMilliseconds / 1000} s during the fault (slowest {(slow.Count > 0 ? slow.Max(s => s.Milliseconds) : 0):0} ms, {string.Join(',', slow.Select(s => $"{s.Op} {s.Status}").Distinct())})");
        var unanswered = during.Count(s => s.Status == 0);
        Assert.True(unanswered == 0 || gatewayDown, $"{name}: {unanswered} requests got no answer from the gateway during the fault");
        var lateFailures = after.Where(s => s.At > healthyAt + TimeSpan.FromSeconds(5) && s.Status >= 500).ToList();
        Assert.True(lateFailures.Count == 0, $"{name}: {lateFailures.Count} requests failed more than 5 s after health came back: " +
            string.Join(" | ", lateFailures.Take(3).Select(s => $"{s.Op} {s.Status}: {s.Error}")) + "\n" + platform.ErrorsInLogs());
        // Recovery without restart: every service the fault did not stop still runs as the same process.
        var restarted = untouched.Where(kv => platform.Pid(kv.Key) != kv.Value).Select(kv => kv.Key).ToList();
        Assert.True(restarted.Count == 0, $"{name}: restarted although not faulted: {string.Join(", ", restarted)}");
        return (samples, faultStart);
    }
}

/// <summary>The closing table: one row per fault, appended to FAULT_REPORT (default TestResults/fault-table.md).</summary>
public static class Report
{
    public const string Header = "| fault | requests during (2xx/4xx/503/other) | after (2xx/4xx/503/other) | latency during p50/p99/max | time to healthy | orders 2xx | lost | duplicates | stock drift | events unsent/pending | charged/refunded, payment violations | read models converged | services' /health unhealthy during |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    public static string Row(string name, IReadOnlyList<Sample> during, IReadOnlyList<Sample> after, TimeSpan toHealthy, Verdict v, IReadOnlyList<string> unhealthy) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Counts(during)} | {Counts(after)} | {Latency(during)} | {toHealthy.TotalSeconds:0.0} s | {v.OrdersAnswered2xx} | {v.OrdersLost} | {v.Duplicates} | {v.StockDrift} | {v.OutboxUnsent}/{v.PendingEntries} | {v.Charged}/{v.Refunded}, {v.PaymentViolations} | {(v.ProjectionsBehind == 0 && v.PendingEntries == 0 && v.OutboxUnsent == 0 && v.ReadModelsBehind == 0 ? $"{v.ConvergedAfterSeconds:0.0} s{(v.SlowestToConverge.Length > 0 ? $" ({v.SlowestToConverge})" : "")}" : "no")} | {(unhealthy.Count == 0 ? "none" : string.Join(", ", unhealthy.Select(u => u.Replace("-api", "", StringComparison.Ordinal))))} |");

    private static string Latency(IReadOnlyList<Sample> s)
    {
        if (s.Count == 0) return "-";
        var ms = s.Select(x => x.Milliseconds).Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"{ms[ms.Length / 2]:0}/{ms[Math.Min(ms.Length - 1, (int)(ms.Length * 0.99))]:0}/{ms[^1]:0} ms");
    }

    private static string Counts(IReadOnlyList<Sample> s) =>
        $"{s.Count(x => x.Status is >= 200 and < 300)}/{s.Count(x => x.Status is >= 400 and < 500)}/{s.Count(x => x.Status == 503)}/{s.Count(x => x.Status is 0 or (>= 500 and not 503))}";

    public static void Append(string row)
    {
        var path = Environment.GetEnvironmentVariable("FAULT_REPORT") ?? Path.Combine(AppContext.BaseDirectory, "fault-table.md");
        lock (Header)
        {
            if (!File.Exists(path))
            {
                File.WriteAllText(path, Header + "\n");
            }

            File.AppendAllText(path, row + "\n");
        }
    }
}
