using Aspire.Hosting.ApplicationModel;

namespace Ecommerce.AppHost.Hosting;

/// <summary>What every service of the platform gets from the AppHost, besides its references.</summary>
public static class ServiceResourceDefaults
{
    public const string JwtIssuer = "polyglot-commerce";
    public const string JwtAudience = "polyglot-commerce";

    /// <summary>How often each service exports its metrics (OTEL_METRIC_EXPORT_INTERVAL; Aspire's default is 1,000).</summary>
    public const string MetricExportIntervalMilliseconds = "5000";

    /// <summary>
    /// An HTTP endpoint without Aspire's proxy (one hop fewer on every call between services), readiness from the
    /// service's own <c>/health</c>, the shared JWT settings and the services' environment name.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceDefaults(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<ParameterResource> jwtSigningKey, string environment, int? port = null) =>
        project
            // --AppHost:Telemetry false: no OTLP export (ServiceDefaults exports only when the endpoint is set), so the
            // bench lab can measure what telemetry costs. Runs after Aspire's own OTLP settings were added.
            .WithEnvironment(context =>
            {
                if (!project.ApplicationBuilder.Configuration.GetValue("AppHost:Telemetry", true))
                {
                    context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
                    return;
                }

                // Aspire exports metrics every second for a fresh dashboard; seven processes doing so kept the idle
                // dashboard and services busy (bench/results/2026-12-03-idle.md). Every 5 s is fresh enough for a chart.
                context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = MetricExportIntervalMilliseconds;
                // --AppHost:NewTracesPerSecond <n>: each service's budget of new traces (ServiceDefaults' NewTraceBudget).
                if (project.ApplicationBuilder.Configuration["AppHost:NewTracesPerSecond"] is { Length: > 0 } budget)
                {
                    context.EnvironmentVariables["Telemetry__NewTracesPerSecond"] = budget;
                }

                // --AppHost:OtlpEndpoint <url>: every service exports to this OTLP/HTTP collector instead of the dashboard
                // (the end-to-end suite follows one trace across services with it; any OpenTelemetry collector works).
                if (project.ApplicationBuilder.Configuration["AppHost:OtlpEndpoint"] is { Length: > 0 } collector)
                {
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector;
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                    context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_HEADERS");
                }
            })
            // --Chaos:<service>:Enabled true (and :LatencyRate, :LatencyMilliseconds, :FaultRate, :OutcomeRate): Polly's chaos
            // strategies in that service's outgoing HTTP calls (ServiceDefaults:Chaos). Read at every start of the
            // resource, so a fault harness can turn it on and restart one service.
            .WithEnvironment(context =>
            {
                foreach (var (key, value) in project.ApplicationBuilder.Configuration.GetSection($"Chaos:{project.Resource.Name}").AsEnumerable(makePathsRelative: true))
                {
                    if (value is not null)
                    {
                        context.EnvironmentVariables[$"ServiceDefaults__Chaos__{key.Replace(":", "__", StringComparison.Ordinal)}"] = value;
                    }
                }
            })
            .WithHttpEndpoint(port: port is 0 ? null : port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            // Only the gateway talks to the services, so they may believe its X-Forwarded-For (per-client limits, logs).
            .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true")
            .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
            .WithEnvironment("Jwt__Issuer", JwtIssuer)
            .WithEnvironment("Jwt__Audience", JwtAudience);
}
