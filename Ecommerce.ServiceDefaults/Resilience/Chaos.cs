using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Simmy;

namespace Ecommerce.ServiceDefaults.Resilience;

/// <summary>
/// Fault injection between services (issue 15), off by default: Polly's chaos strategies inside every outgoing
/// HttpClient, below the standard resilience handler, so its retries, timeouts and circuit breaker meet the injected
/// latency and errors as they would meet real ones. Settings (<c>ServiceDefaults:Chaos:*</c>, e.g. environment
/// <c>ServiceDefaults__Chaos__Enabled=true</c>), read at start:
/// <c>Enabled</c>; <c>LatencyRate</c> (0–1) and <c>LatencyMilliseconds</c>; <c>FaultRate</c> (an HttpRequestException, as a
/// refused connection); <c>OutcomeRate</c> (an answer <c>503</c> without calling the service).
/// </summary>
public sealed class ChaosOptions
{
    public const string Section = "ServiceDefaults:Chaos";

    public bool Enabled { get; set; }
    public double LatencyRate { get; set; }
    public int LatencyMilliseconds { get; set; } = 500;
    public double FaultRate { get; set; }
    public double OutcomeRate { get; set; }

    public static ChaosOptions From(IConfiguration configuration) => configuration.GetSection(Section).Get<ChaosOptions>() ?? new ChaosOptions();
}

public static class Chaos
{
    public const string HandlerName = "chaos";

    /// <summary>Adds the chaos handler to an HttpClient when enabled; nothing at all otherwise.</summary>
    public static IHttpClientBuilder AddChaosWhenEnabled(this IHttpClientBuilder http, ChaosOptions options)
    {
        if (!options.Enabled)
        {
            return http;
        }

        http.AddResilienceHandler(HandlerName, pipeline =>
        {
            if (options.LatencyRate > 0)
            {
                pipeline.AddChaosLatency(options.LatencyRate, TimeSpan.FromMilliseconds(options.LatencyMilliseconds));
            }

            if (options.FaultRate > 0)
            {
                pipeline.AddChaosFault(options.FaultRate, () => new HttpRequestException("Injected by the chaos strategy (ServiceDefaults:Chaos:FaultRate)."));
            }

            if (options.OutcomeRate > 0)
            {
                pipeline.AddChaosOutcome(options.OutcomeRate, () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                {
                    ReasonPhrase = "Injected by the chaos strategy (ServiceDefaults:Chaos:OutcomeRate)",
                });
            }
        });
        return http;
    }
}
