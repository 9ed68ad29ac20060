using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Aspire.StackExchange.Redis's registration: one shared multiplexer, settings under <c>Aspire:StackExchange:Redis</c>.</summary>
public static class RedisRegistrations
{
    private const string Section = "Aspire:StackExchange:Redis";

    public static void AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, Section, connectionName);
        var options = ConfigurationOptions.Parse(connectionString);
        // Start-up must not die because Redis is a second late; the health check reports it meanwhile.
        options.AbortOnConnectFail = false;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));

        if (!builder.Configuration.GetValue<bool>($"{Section}:DisableHealthChecks"))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"redis-{connectionName}",
                sp => new RedisHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()),
                HealthStatus.Unhealthy,
                ["ready"]));
        }
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!redis.IsConnected)
            {
                return HealthCheckResult.Unhealthy("not connected");
            }

            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
    }
}
