using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// MongoDB and Elasticsearch as generic containers: their Aspire hosting packages are not served to this project, so
/// these are the few lines those packages would add (an image, an endpoint, a connection string, a health check).
/// They run only where a container runtime answers, and in publish mode.
/// </summary>
public sealed class MongoReplicaSetResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "tcp");

    // directConnection: the one member calls itself by its container host name, which the host cannot resolve.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"mongodb://{Endpoint.Property(EndpointProperty.HostAndPort)}/?replicaSet=rs0&directConnection=true");
}

public sealed class ElasticsearchContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "http");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Url)}");
}

public static class DocumentAndSearchContainers
{
    public static IResourceBuilder<MongoReplicaSetResource> AddMongoReplicaSetContainer(this IDistributedApplicationBuilder builder, string name)
    {
        var mongo = new MongoReplicaSetResource(name);
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(mongo, async (_, ct) => connectionString = await ((IResourceWithConnectionString)mongo).GetConnectionStringAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            _ => new ReplicaSetPrimaryCheck(() => connectionString), HealthStatus.Unhealthy, tags: null));
        return builder.AddResource(mongo)
            .WithImage("library/mongo", "8.0")
            .WithEndpoint(targetPort: 27017, name: "tcp", scheme: "tcp")
            .WithArgs("--replSet", "rs0", "--bind_ip_all")
            .WithVolume("polyglot-commerce-mongo-data", "/data/db")
            .WithHealthCheck(healthCheck);
    }

    public static IResourceBuilder<ElasticsearchContainerResource> AddElasticsearchContainer(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new ElasticsearchContainerResource(name))
            .WithImage("elasticsearch/elasticsearch", "9.5.0")
            .WithImageRegistry("docker.elastic.co")
            .WithHttpEndpoint(targetPort: 9200, name: "http")
            .WithEnvironment("discovery.type", "single-node")
            .WithEnvironment("xpack.security.enabled", "false")
            .WithEnvironment("ES_JAVA_OPTS", "-Xms512m -Xmx512m")
            .WithVolume("polyglot-commerce-elasticsearch-data", "/usr/share/elasticsearch/data")
            .WithHttpHealthCheck("/_cluster/health?wait_for_status=yellow&timeout=1s");

    /// <summary>Healthy once the single member is a writable primary; initiates the replica set on a new volume.</summary>
    private sealed class ReplicaSetPrimaryCheck(Func<string?> connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (connectionString() is not { } cs) return HealthCheckResult.Unhealthy("not started");
            var settings = MongoClientSettings.FromConnectionString(cs.Replace("replicaSet=rs0&", "", StringComparison.Ordinal));
            settings.ServerSelectionTimeout = TimeSpan.FromSeconds(2);
            using var client = new MongoClient(settings);
            var admin = client.GetDatabase("admin");
            var hello = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: cancellationToken);
            if (hello.GetValue("isWritablePrimary", false).ToBoolean()) return HealthCheckResult.Healthy();
            if (!hello.Contains("setName"))
            {
                await admin.RunCommandAsync<BsonDocument>(new BsonDocument("replSetInitiate", new BsonDocument()), cancellationToken: cancellationToken);
            }

            return HealthCheckResult.Unhealthy("the replica set has no primary yet");
        }
    }
}
