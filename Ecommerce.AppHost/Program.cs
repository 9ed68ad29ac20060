using Ecommerce.AppHost.Hosting;

// The topology, read top to bottom: stores, then the services that use them, then the gateway.
// Run: dotnet run --project Ecommerce.AppHost -- [--gateway-port 8080] [--fresh] [--seed 100000]
try
{
    var builder = DistributedApplication.CreateBuilder(args);

    var postgres = builder.AddPostgres("postgres");
    var catalogDb = postgres.AddDatabase("catalogdb");
    var orderingDb = postgres.AddDatabase("orderingdb");
    var cartDb = postgres.AddDatabase("cartdb");
    var identityDb = postgres.AddDatabase("identitydb");
    var searchDb = postgres.AddDatabase("searchdb");
    var redis = builder.AddRedis("redis");

    var adminEmail = builder.Configuration["Identity:Admin:Email"] ?? "admin@polyglot.local";
    var adminPassword = builder.Configuration["Identity:Admin:Password"] ?? builder.GeneratedSecret("admin-password");
    var identity = builder.AddProject("identity-api", "services/Identity.Api")
        .WithReference(identityDb).WaitFor(identityDb)
        .WithReference(redis).WaitFor(redis)
        .WithEnvironment("Identity__Admin__Email", adminEmail)
        .WithEnvironment("Identity__Admin__Password", adminPassword);
    builder.Notes.Add($"Admin sign-in: POST /api/identity/token {{\"email\":\"{adminEmail}\",\"password\":\"{adminPassword}\"}}");

    var catalogStore = builder.Configuration["Catalog:Store"] ?? "postgres"; // --Catalog:Store mongodb (needs ConnectionStrings:mongodb, a replica set)
    var catalog = builder.AddProject("catalog-api", "services/Catalog.Api")
        .WithReference(catalogDb).WithReference(redis)
        .WaitFor(catalogDb).WaitFor(redis)
        .WithEnvironment("Catalog__Store", catalogStore)
        .WithEnvironment("Catalog__CacheEnabled", builder.Configuration["Catalog:CacheEnabled"] ?? "true") // false: the single-PostgreSQL lab
        .WithEnvironment("Catalog__Seed__Products", builder.Options.SeedProducts.ToString(System.Globalization.CultureInfo.InvariantCulture));
    if (catalogStore == "mongodb")
    {
        var mongo = builder.AddMongoDB("mongodb");
        catalog.WithReference(mongo).WaitFor(mongo);
    }

    var ordering = builder.AddProject("ordering-api", "services/Ordering.Api")
        .WithReference(orderingDb).WithReference(redis).WithReference(catalog)
        .WaitFor(orderingDb).WaitFor(redis);

    var cart = builder.AddProject("cart-api", "services/Cart.Api")
        .WithReference(redis).WithReference(cartDb).WithReference(catalog).WithReference(ordering)
        .WaitFor(redis).WaitFor(cartDb)
        .WithEnvironment("Cart__Store", builder.Configuration["Cart:Store"] ?? "redis"); // --Cart:Store postgres for the store lab
    ordering.WithReference(cart); // checkout from a cart reads it on the customer's behalf

    var searchEngine = builder.Configuration["Search:Engine"] ?? "lucene"; // --Search:Engine postgres for the store lab
    var search = builder.AddProject("search-api", "services/Search.Api")
        .WithReference(redis).WithReference(catalog).WithReference(ordering)
        .WaitFor(redis).WaitFor(catalog).WaitFor(ordering) // an empty index is rebuilt from both at start-up
        .WithEnvironment("Search__Engine", searchEngine)
        .WithEnvironment("Search__Lucene__Directory", Path.Combine(builder.Options.StateDirectory, "search-index"));
    if (searchEngine == "postgres")
    {
        search.WithReference(searchDb).WaitFor(searchDb);
    }
    else if (searchEngine == "elasticsearch")
    {
        var elasticsearch = builder.AddElasticsearch("elasticsearch");
        search.WithReference(elasticsearch).WaitFor(elasticsearch);
    }

    builder.AddProject("gateway", "services/Gateway")
        .WithReference(identity).WithReference(catalog).WithReference(ordering).WithReference(cart).WithReference(search)
        .WaitFor(identity).WaitFor(catalog).WaitFor(ordering).WaitFor(cart).WaitFor(search)
        .WithExternalHttpEndpoint(builder.Options.GatewayPort)
        // The public edge must not believe a client's X-Forwarded-For (it would dodge per-IP limits);
        // services behind it may, since only the gateway talks to them.
        .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "false")
        // The bench lab raises this (--Gateway:WritesPerMinute 1000000): its load comes from one address.
        .WithEnvironment("Gateway__WritesPerMinute", builder.Configuration["Gateway:WritesPerMinute"] ?? "120");

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
