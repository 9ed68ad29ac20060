using Catalog.Api.Products;

namespace Catalog.Api.Seed;

/// <summary>
/// Fills an empty catalog with a demo set, or tops it up to <c>Catalog:Seed:Products</c> generated products
/// through the store's bulk insert (a binary COPY on PostgreSQL: 100,000 in seconds). Seeded rows publish no events: search builds its index from the
/// catalog with a reindex.
/// </summary>
public static partial class CatalogSeeder
{
    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var options = services.GetRequiredService<CatalogOptions>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Catalog.Seed");
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ICatalogStore>();

        var existing = (int)await store.CountAsync(ct);
        var target = options.Seed.Products > 0 ? options.Seed.Products : existing == 0 ? options.DemoProducts : 0;
        if (target <= existing)
        {
            return;
        }

        await AddGeneratedAsync(store, target - existing, existing, time, logger, ct);
    }

    /// <summary>Adds <paramref name="count"/> generated products after the ones there are (skus continue the numbering).</summary>
    public static async Task<int> AddAsync(IServiceProvider services, ICatalogStore store, int count, CancellationToken ct)
    {
        var existing = (int)await store.CountAsync(ct);
        await AddGeneratedAsync(store, count, existing, services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Catalog.Seed"), ct);
        return existing + count;
    }

    private static async Task AddGeneratedAsync(ICatalogStore store, int count, int existing, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Generated as the store writes them, never all at once (a list of a million held 3 GB).
        await store.InsertManyAsync(ProductGenerator.Generate(count, seed: 20261122 + existing, time.GetUtcNow(), startIndex: existing), ct);
        LogSeeded(logger, count, clock.ElapsedMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Count} products in {Milliseconds} ms")]
    private static partial void LogSeeded(ILogger logger, int count, long milliseconds);
}
