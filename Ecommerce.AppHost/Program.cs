using Ecommerce.AppHost.Hosting;

// The topology, read top to bottom: stores, then the services that use them, then the gateway.
// Run: dotnet run --project Ecommerce.AppHost -- [--gateway-port 8080] [--fresh] [--seed 100000]
try
{
    var builder = DistributedApplication.CreateBuilder(args);

    var postgres = builder.AddPostgres("postgres");
    var orderingDb = postgres.AddDatabase("orderingdb");
    var redis = builder.AddRedis("redis");

    var ordering = builder.AddProject("ordering-api", "services/Ordering.Api")
        .WithReference(orderingDb).WaitFor(orderingDb);

    builder.AddProject("gateway", "services/Gateway")
        .WithReference(ordering)
        .WithExternalHttpEndpoint(builder.Options.GatewayPort)
        // The public edge must not believe a client's X-Forwarded-For (it would dodge per-IP limits);
        // services behind it may, since only the gateway talks to them.
        .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "false");

    await using var app = builder.Build();
    await app.RunAsync();
    return 0;
}
catch (AppHostException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return ex.ExitCode;
}

/// <summary>Internal, so test projects that reference both the AppHost and a service see one <c>Program</c>: the service's.</summary>
internal sealed partial class Program;
