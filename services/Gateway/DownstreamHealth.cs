using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway;

/// <summary>The gateway is ready only when every service it routes to answers its own <c>/health</c>.</summary>
public static class DownstreamHealth
{
    public const string ClientName = "downstream-health";

    public static void AddDownstreamHealthChecks(this IHostApplicationBuilder builder, IReadOnlyList<string> services)
    {
        // No retries: a probe must report what it sees now, within the health check's own timeout.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to opt one client out of the defaults.
        builder.Services.AddHttpClient(ClientName, c => c.Timeout = TimeSpan.FromSeconds(5))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        var checks = builder.Services.AddHealthChecks();
        foreach (var service in services)
        {
            checks.Add(new HealthCheckRegistration(
                service,
                sp => new DownstreamHealthCheck(sp.GetRequiredService<IHttpClientFactory>(), service),
                HealthStatus.Unhealthy,
                ["ready"],
                TimeSpan.FromSeconds(5)));
        }
    }

    private sealed class DownstreamHealthCheck(IHttpClientFactory clients, string service) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            using var client = clients.CreateClient(ClientName);
            try
            {
                using var response = await client.GetAsync(new Uri($"http://{service}/health"), cancellationToken);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{service}/health answered {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                // Down is an answer, not an error: report it without a stack trace per probe.
                return HealthCheckResult.Unhealthy($"{service} is unreachable: {ex.Message}");
            }
        }
    }
}
