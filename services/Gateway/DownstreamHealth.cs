using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway;

/// <summary>
/// The gateway is ready only when every service it routes to answers its own <c>/health</c>. The gateway's
/// <c>/health</c> is public, so a probe result is reused for <c>Gateway:HealthProbeCacheMilliseconds</c> (one
/// downstream call per service per window however often it is asked) and says nothing about internal addresses.
/// </summary>
public static partial class DownstreamHealth
{
    public const string ClientName = "downstream-health";

    public static void AddDownstreamHealthChecks(this IHostApplicationBuilder builder, IReadOnlyList<string> services)
    {
        // No retries: a probe must report what it sees now, within the health check's own timeout.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to opt one client out of the defaults.
        builder.Services.AddHttpClient(ClientName, c => c.Timeout = TimeSpan.FromSeconds(5))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<DownstreamProbes>();

        var checks = builder.Services.AddHealthChecks();
        foreach (var service in services)
        {
            checks.Add(new HealthCheckRegistration(
                service,
                sp => new DownstreamHealthCheck(sp.GetRequiredService<DownstreamProbes>(), service),
                HealthStatus.Unhealthy,
                ["ready"],
                TimeSpan.FromSeconds(5)));
        }
    }

    private sealed class DownstreamHealthCheck(DownstreamProbes probes, string service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            probes.ProbeAsync(service).WaitAsync(cancellationToken);
    }

    /// <summary>The latest probe per service; concurrent callers within one window share a single call.</summary>
    internal sealed class DownstreamProbes(IHttpClientFactory clients, EdgeOptions options, TimeProvider time, ILogger<DownstreamProbes> logger)
    {
        private readonly ConcurrentDictionary<string, (DateTimeOffset FreshUntil, Task<HealthCheckResult> Probe)> _latest = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public Task<HealthCheckResult> ProbeAsync(string service)
        {
            var now = time.GetUtcNow();
            if (_latest.TryGetValue(service, out var latest) && latest.FreshUntil > now)
            {
                return latest.Probe;
            }

            lock (_gate)
            {
                if (_latest.TryGetValue(service, out latest) && latest.FreshUntil > now)
                {
                    return latest.Probe;
                }

                // Not tied to one caller's cancellation: other callers share it; the client's 5 s timeout bounds it.
                var probe = ProbeNowAsync(service);
                _latest[service] = (now + TimeSpan.FromMilliseconds(options.HealthProbeCacheMilliseconds), probe);
                return probe;
            }
        }

        private async Task<HealthCheckResult> ProbeNowAsync(string service)
        {
            using var client = clients.CreateClient(ClientName);
            try
            {
                using var response = await client.GetAsync(new Uri($"http://{service}/health"), CancellationToken.None);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{service} answered {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                // Down is an answer, not an error. The reason (with addresses) goes to the log, not to the public reply.
                LogUnreachable(logger, service, ex.Message);
                return HealthCheckResult.Unhealthy($"{service} is unreachable");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health probe: {Service} is unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string service, string reason);
}
