using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// The machine's own <c>redis-server</c> as an Aspire executable on a port Aspire allocates, with an append-only file
/// (fsync every second) under its data folder. Same name and connection-string shape as <c>AddRedis</c>.
/// </summary>
public sealed class LocalRedisResource(string name, string command, string dataDirectory)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{Endpoint.Property(EndpointProperty.Port)}");
}

public static class LocalRedisExtensions
{
    public const string Missing =
        "redis-server was not found on PATH. Install it (apt-get install -y redis-server), give a server with " +
        "ConnectionStrings__redis, or start a container runtime.";

    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name,
        string dataDirectory)
    {
        var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Select(dir => Path.Combine(dir, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException(Missing);
        Directory.CreateDirectory(dataDirectory);

        var redis = new LocalRedisResource(name, binary, dataDirectory);
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await ((IResourceWithConnectionString)redis).GetConnectionStringAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException("The connection string is not known yet."), name: healthCheck);

        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
                foreach (var arg in new[] { "--bind", "127.0.0.1", "--dir", dataDirectory, "--daemonize", "no",
                             "--appendonly", "yes", "--appendfsync", "everysec" })
                    context.Args.Add(arg);
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }
}
