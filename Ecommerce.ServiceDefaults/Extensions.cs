using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service gets, Aspire's scope and nothing else: telemetry (OTLP), health endpoints, service discovery and
/// the resilience of calls between services (with optional chaos to test it). The HTTP edge (problems, input rules,
/// outage answers, the middleware order) is Ecommerce.Http's; stores are registered by each service with the Aspire
/// client integrations.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";

    /// <summary>New traces a service starts per second at most (<see cref="Ecommerce.ServiceDefaults.NewTraceBudget"/>); 0 starts none.</summary>
    public const string NewTracesPerSecondKey = "Telemetry:NewTracesPerSecond";
    public const double DefaultNewTracesPerSecond = 20;

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        var chaos = Ecommerce.ServiceDefaults.Resilience.ChaosOptions.From(builder.Configuration);
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler(options =>
            {
                // A shopper is waiting on most calls between services: retry quickly (about 0.2, 0.4, 0.8 s with jitter,
                // not the default 2, 4, 8 s) and give one call at most 12 s in all, inside the caller's 15 s request budget.
                options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(12);
                // A 503 with Retry-After is a service that already rode out its own store's blip and says when to come
                // back: retrying it at once only multiplies the wait (measured during a PostgreSQL kill: every checkout
                // held for the whole 12 s). Refused connections, timeouts and other transient answers are still retried.
                options.Retry.ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && args.Outcome.Result is not { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable, Headers.RetryAfter: not null });
            });
            // Off by default; inside the standard handler, so its retries and circuit breaker meet the injected faults.
            Ecommerce.ServiceDefaults.Resilience.Chaos.AddChaosWhenEnabled(http, chaos);
            http.AddServiceDiscovery();
        });
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Ecommerce.*"))
            .WithTracing(tracing => tracing
                .SetSampler(new Ecommerce.ServiceDefaults.IdlePollSampler( // idle polls are not traces, and new traces have a budget: see their comments
                    new Ecommerce.ServiceDefaults.NewTraceBudget(builder.Configuration.GetValue(NewTracesPerSecondKey, DefaultNewTracesPerSecond), TimeProvider.System)))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Ecommerce.*")
                .AddAspNetCoreInstrumentation(o =>
                    // Probes would drown the traces that matter.
                    o.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());
        // Stores trace and meter themselves: the Aspire client integrations (Npgsql, EF Core, Redis) add their own sources.

        // Export only when someone listens (Aspire sets this variable when a dashboard runs).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: readiness, every check including dependencies. <c>/alive</c>: liveness, the process only.
    /// Mapped in every environment: the AppHost, the gateway and operators all depend on them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = WriteHealthJson })
            .DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = WriteHealthJson,
        }).DisableHttpMetrics();
        return app;
    }

    private static Task WriteHealthJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new HealthResponse(
            report.Status.ToString(),
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthEntry(e.Value.Status.ToString(), e.Value.Description ?? e.Value.Exception?.Message)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJson.Default.HealthResponse, context.RequestAborted);
    }
}

public sealed record HealthResponse(string Status, Dictionary<string, HealthEntry> Checks);

public sealed record HealthEntry(string Status, string? Description);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
public sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
