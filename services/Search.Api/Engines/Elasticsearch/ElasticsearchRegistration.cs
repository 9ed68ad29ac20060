using Elastic.Clients.Elasticsearch;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace Search.Api.Engines.Elasticsearch;

/// <summary>
/// The settings Aspire.Elastic.Clients.Elasticsearch reads, under the same section (<see cref="ElasticsearchRegistration.Section"/>,
/// then its <c>{connectionName}</c> sub-section).
/// </summary>
public sealed class ElasticsearchClientOptions
{
    /// <summary>The server's URL; <c>ConnectionStrings:{connectionName}</c> wins when it is set.</summary>
    public Uri? Endpoint { get; set; }

    public bool DisableHealthChecks { get; set; }

    /// <summary>The health check's timeout in milliseconds (none when unset).</summary>
    public int? HealthCheckTimeout { get; set; }

    public bool DisableTracing { get; set; }
}

/// <summary>
/// Aspire.Elastic.Clients.Elasticsearch's registration, by hand (that package is not served here): one shared
/// <see cref="ElasticsearchClient"/>, a ping health check tagged <c>ready</c> and the transport's traces, with the same
/// configuration keys, so that the service moves to the package without a configuration change.
/// </summary>
public static class ElasticsearchRegistration
{
    public const string Section = "Aspire:Elastic:Clients:Elasticsearch";

    public static void AddElasticsearchClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var settings = new ElasticsearchClientOptions();
        var section = builder.Configuration.GetSection(Section);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.Endpoint = Uri.TryCreate(connectionString, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? url
                : throw new InvalidOperationException($"ConnectionStrings__{connectionName} must be the server's URL (e.g. http://localhost:9200), not '{connectionString}'.");
        }

        var endpoint = settings.Endpoint ?? throw new InvalidOperationException(
            $"Connection string '{connectionName}' is missing. Set ConnectionStrings__{connectionName} to the Elasticsearch URL (e.g. http://localhost:9200; " +
            $"the AppHost does this), or {Section.Replace(":", "__", StringComparison.Ordinal)}__Endpoint.");

        builder.Services.AddSingleton(_ => new ElasticsearchClient(new ElasticsearchClientSettings(endpoint)));

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "elasticsearch",
                sp => new PingHealthCheck(sp.GetRequiredService<ElasticsearchClient>()),
                HealthStatus.Unhealthy,
                ["ready"],
                settings.HealthCheckTimeout is { } timeout ? TimeSpan.FromMilliseconds(timeout) : null));
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(Elastic.Transport.Diagnostics.OpenTelemetry.ElasticTransportActivitySourceName));
        }
    }

    private sealed class PingHealthCheck(ElasticsearchClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var ping = await client.PingAsync(cancellationToken);
            return ping.IsValidResponse
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"ping answered {ping.ApiCallDetails.HttpStatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}",
                    ping.ApiCallDetails.OriginalException);
        }
    }
}
