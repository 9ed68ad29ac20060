using Ecommerce.AppHost.Hosting;

// The topology, read top to bottom: settings and secrets, stores, the services that use them, then the gateway.
// Run: ./scripts/run [--gateway-port 8080] [--fresh] [--seed 100000]   Publish: dotnet run -- --publisher manifest --output-path <dir>
string[]? arguments;
try
{
    arguments = AppHostArguments.Translate(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

if (arguments is null)
{
    Console.WriteLine(AppHostArguments.Usage);
    return 0;
}

var builder = DistributedApplication.CreateBuilder(arguments);
var config = builder.Configuration;
var publishing = builder.ExecutionContext.IsPublishMode;
var state = config["AppHost:State"] ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".state"));
if (!publishing) AppHostState.Prepare(state, fresh: config.GetValue<bool>("AppHost:Fresh"));
var environment = config["AppHost:Environment"] ?? "Development";
var containers = publishing || (config.GetValue("AppHost:Containers", true) && ContainerRuntime.Answers(config["ASPIRE_CONTAINER_RUNTIME"] ?? "docker"));
var stores = new StoreProvisioner(builder, state, containers);
try
{
    var jwtSigningKey = builder.AddParameter("jwt-signing-key", new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);
    var adminPassword = builder.AddParameter("admin-password", new GenerateParameterDefault { MinLength = 24 }, secret: true, persist: true);
    var adminEmail = config["Identity:Admin:Email"] ?? "admin@polyglot.local";

    var postgres = stores.AddPostgres("postgres");
    var identityDb = postgres.AddDatabase("identitydb");
    var catalogDb = postgres.AddDatabase("catalogdb");
    var orderingDb = postgres.AddDatabase("orderingdb");
    var cartDb = postgres.AddDatabase("cartdb");
    var searchDb = postgres.AddDatabase("searchdb");
    var paymentDb = postgres.AddDatabase("paymentdb");
    var redis = stores.AddRedis("redis");

    var identity = builder.AddProject<Projects.Identity_Api>("identity-api")
        .WithServiceDefaults(jwtSigningKey, environment)
        .WithReference(identityDb).WaitFor(identityDb)
        .WithReference(redis).WaitFor(redis)
        .WithEnvironment("Identity__Admin__Email", adminEmail)
        .WithEnvironment("Identity__Admin__Password", adminPassword);

    // The design card's catalog is MongoDB; without a container runtime (or a connection string) it is PostgreSQL JSONB.
    var mongo = stores.AddMongoDB("mongodb");
    var catalogStore = config["Catalog:Store"] ?? (mongo is not null && containers ? "mongodb" : "postgres");
    var catalog = builder.AddProject<Projects.Catalog_Api>("catalog-api")
        .WithServiceDefaults(jwtSigningKey, environment)
        .WithReference(catalogDb).WaitFor(catalogDb)
        .WithReference(redis).WaitFor(redis)
        .WithEnvironment("Catalog__Store", catalogStore)
        .WithEnvironment("Catalog__CacheEnabled", config["Catalog:CacheEnabled"] ?? "true") // false: the single-PostgreSQL lab
        .WithEnvironment("Catalog__Seed__Products", config["Catalog:Seed:Products"] ?? "0")
        .WithAdminCommand("seed-products", "Seed 1,000 products", "Adds 1,000 generated products to the catalog; rebuild the search index after.",
            HttpMethod.Post, "/api/catalog/admin/seed?products=1000", jwtSigningKey, "DatabaseArrowUp");
    if (catalogStore == "mongodb")
    {
        if (mongo is null) throw new DistributedApplicationException("Catalog:Store is mongodb: give ConnectionStrings__mongodb (a replica set) or run a container runtime.");
        catalog.WithReference(mongo).WaitFor(mongo);
    }

    // Payments calls no service: ordering charges through it, and it hears about orders from ordering's events.
    var payments = builder.AddProject<Projects.Payments_Api>("payments-api")
        .WithServiceDefaults(jwtSigningKey, environment)
        .WithReference(paymentDb).WaitFor(paymentDb)
        .WithReference(redis).WaitFor(redis);

    var ordering = builder.AddProject<Projects.Ordering_Api>("ordering-api")
        .WithServiceDefaults(jwtSigningKey, environment)
        .WithReference(orderingDb).WaitFor(orderingDb)
        .WithReference(redis).WaitFor(redis)
        .WithReference(catalog)
        .WithReference(payments)
        .SeedStockWhenReady(catalog, config.GetValue("AppHost:Stock", 100), jwtSigningKey)
        .WithAdminCommand("stock-skus", "Stock every sku", "Gives every catalog sku that has no stock 100 units in warehouse main (after a catalog seed).",
            HttpMethod.Post, "/api/inventory/admin/seed?onHand=100", jwtSigningKey, "BoxMultiple");

    var cart = builder.AddProject<Projects.Cart_Api>("cart-api")
        .WithServiceDefaults(jwtSigningKey, environment)
        .WithReference(redis).WaitFor(redis)
        .WithReference(cartDb).WaitFor(cartDb)
        .WithReference(catalog)
        .WithEnvironment("Cart__Store", config["Cart:Store"] ?? "redis"); // --Cart:Store postgres for the store lab
    // Calls go one way: ordering → cart (checkout reads a cart's lines) → catalog. Carts learn stock from ordering's events.
    ordering.WithReference(cart);

    var elasticsearch = stores.AddElasticsearch("elasticsearch");
    var searchEngine = config["Search:Engine"] ?? (elasticsearch is not null && containers ? "elasticsearch" : "lucene");
    var search = builder.AddProject<Projects.Search_Api>("search-api")
        .WithServiceDefaults(jwtSigningKey, environment)
        .WithReference(redis).WaitFor(redis)
        .WithReference(catalog).WithReference(ordering)
        .WaitFor(catalog).WaitFor(ordering) // an empty index is rebuilt from both at start-up
        .WithEnvironment("Search__Engine", searchEngine)
        .WithEnvironment("Search__Lucene__Directory", Path.Combine(state, "search-index"))
        .WithAdminCommand("rebuild-index", "Rebuild index", "Rebuilds the search index from the catalog and inventory, swapped in whole when done.",
            HttpMethod.Post, "/api/search/reindex", jwtSigningKey, "ArrowSync");
    switch (searchEngine)
    {
        case "postgres":
            search.WithReference(searchDb).WaitFor(searchDb);
            break;
        case "elasticsearch":
            if (elasticsearch is null) throw new DistributedApplicationException("Search:Engine is elasticsearch: give ConnectionStrings__elasticsearch or run a container runtime.");
            search.WithReference(elasticsearch).WaitFor(elasticsearch);
            break;
    }

    var gateway = builder.AddProject<Projects.Gateway>("gateway")
        .WithServiceDefaults(jwtSigningKey, environment, port: config.GetValue("AppHost:GatewayPort", 8080))
        .WithExternalHttpEndpoints()
        .WithReference(identity).WithReference(catalog).WithReference(ordering).WithReference(cart).WithReference(search).WithReference(payments)
        .WaitFor(identity).WaitFor(catalog).WaitFor(ordering).WaitFor(cart).WaitFor(search).WaitFor(payments)
        // The edge cache hears the catalog's invalidations on Redis. No WaitFor: the gateway serves, uncached, without it.
        .WithReference(redis)
        // false: no edge cache (the bench lab's single-PostgreSQL configuration, like --Catalog:CacheEnabled false).
        .WithEnvironment("Gateway__EdgeCache__Enabled", config["Gateway:EdgeCache:Enabled"] ?? "true")
        // The public edge must not believe a client's X-Forwarded-For (it would dodge per-IP limits).
        .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "false")
        // The bench lab raises this (--Gateway:WritesPerMinute 1000000): its load comes from one address.
        .WithEnvironment("Gateway__WritesPerMinute", config["Gateway:WritesPerMinute"] ?? "120");

    builder.PrintWhenReady(gateway, adminPassword, adminEmail);
}
catch (DistributedApplicationException ex)
{
    // Something the user can fix (a missing server binary, a store switch without its store): one clear message.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

await builder.Build().RunAsync();
return 0;
