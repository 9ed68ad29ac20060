using Catalog.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Tests;

/// <summary>A catalog database and Redis database shared by one or more service instances.</summary>
public sealed class CatalogHost(string database, string redis) : IAsyncDisposable
{
    private readonly List<ServiceFactory<Program>> _instances = [];

    public string Database { get; } = database;
    public string Redis { get; } = redis;

    public static async Task<CatalogHost> CreateAsync(TestInfrastructure infrastructure) =>
        new(await infrastructure.CreateDatabaseAsync("catalog"), await infrastructure.CreateRedisDatabaseAsync());

    public ServiceFactory<Program> Instance(Dictionary<string, string?>? settings = null, bool realServer = false)
    {
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:catalogdb"] = Database,
            ["ConnectionStrings:redis"] = Redis,
            ["Catalog:DemoProducts"] = "0",
            // Pub/sub channels are server-wide: keep each test's invalidations to itself.
            ["Catalog:InvalidationChannel"] = $"catalog:invalidate:{Guid.NewGuid():N}",
        };
        foreach (var (k, v) in settings ?? [])
        {
            all[k] = v;
        }

        var factory = new ServiceFactory<Program>(all, realServer);
        if (realServer)
        {
            factory.StartServer();
        }

        _instances.Add(factory);
        return factory;
    }

    public async Task<T> QueryAsync<T>(Func<CatalogDb, Task<T>> query)
    {
        await using var db = new CatalogDb(new DbContextOptionsBuilder<CatalogDb>().UseNpgsql(Database).Options);
        return await query(db);
    }

    public static object Product(string sku, decimal price = 10m, string category = "mugs", string brand = "Acme", string status = "active",
        object? attributes = null, object[]? variants = null, string? name = null) => new
    {
        sku, name = name ?? $"Product {sku}", description = "A product.", brand, category, price, currency = "EUR",
        attributes = attributes ?? new { }, variants = variants ?? [], images = Array.Empty<string>(), status,
    };

    public static async Task<ProductResponse> CreateAsync(HttpClient admin, object product)
    {
        using var response = await admin.PostAsJsonAsync("/api/catalog/products", product);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProductResponse>())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
    }
}
