using Ecommerce.Http.Outages;
using Ecommerce.ServiceDefaults.Resilience;
using Catalog.Api.Infrastructure;
using Catalog.Api.Products;
using Catalog.Api.Stores.Mongo;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Api.Stores;

/// <summary>Picks the store adapter from <c>Catalog:Store</c>, with the outbox relay that goes with it.</summary>
public static class CatalogStores
{
    public const string Postgres = "postgres";
    public const string MongoDb = "mongodb";

    public static void AddCatalogStore(this IHostApplicationBuilder builder, string store)
    {
        switch (store)
        {
            case Postgres:
                builder.AddServiceDbContext<CatalogDb>("catalogdb");
                builder.Services.AddScoped<ICatalogStore, PostgresCatalogStore>();
                builder.AddOutboxRelay<OutboxRelay<CatalogDb>>();
                break;
            case MongoDb:
                builder.AddMongoDBClient("mongodb");
                builder.Services.AddSingleton<MongoCatalogStore>();
                builder.Services.AddSingleton<ICatalogStore>(sp => sp.GetRequiredService<MongoCatalogStore>());
                builder.AddOutboxRelay<MongoOutboxRelay>();
                break;
            default:
                throw new InvalidOperationException($"Catalog:Store is '{store}'; use '{Postgres}' (default) or '{MongoDb}'.");
        }
    }

    /// <summary>Migrations on PostgreSQL, indexes on MongoDB.</summary>
    public static async Task PrepareAsync(IServiceProvider services, string store, CancellationToken ct)
    {
        if (store == MongoDb)
        {
            await services.GetRequiredService<MongoCatalogStore>().EnsureIndexesAsync(ct);
            return;
        }

        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalogDb>().Database.ApplyMigrationsAsync(ct);
    }
}
