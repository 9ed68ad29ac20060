using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire.MongoDB.Driver's registration, by hand because that package is not served here: an <see cref="IMongoClient"/>
/// and the database named in the URL, settings under the same <c>Aspire:MongoDB:Driver</c> keys, a ping health check.
/// </summary>
public static class MongoRegistrations
{
    private const string Section = "Aspire:MongoDB:Driver";

    public static void AddMongoDBClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration[$"{Section}:ConnectionString"] is { Length: > 0 } own
            ? own
            : builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } named
                ? named
                : throw new InvalidOperationException(
                    $"Connection string '{connectionName}' is missing. Set ConnectionStrings__{connectionName} (the AppHost does this) or Aspire__MongoDB__Driver__ConnectionString.");
        var url = MongoUrl.Create(connectionString);
        var timeout = builder.Configuration.GetValue<int?>($"{Section}:HealthCheckTimeout") ?? 2000;

        builder.Services.AddSingleton<IMongoClient>(_ => new MongoClient(url));
        builder.Services.AddSingleton(sp =>
            sp.GetRequiredService<IMongoClient>().GetDatabase(url.DatabaseName ?? connectionName));

        if (!builder.Configuration.GetValue<bool>($"{Section}:DisableHealthChecks"))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"mongodb-{connectionName}",
                sp => new MongoHealthCheck(sp.GetRequiredService<IMongoDatabase>()),
                HealthStatus.Unhealthy,
                ["ready"],
                TimeSpan.FromMilliseconds(timeout)));
        }
    }

    private sealed class MongoHealthCheck(IMongoDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy();
        }
    }
}
