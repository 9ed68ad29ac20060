using Catalog.Api.Infrastructure;
using Catalog.Api.Products;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Catalog.Api.Seed;

/// <summary>
/// Fills an empty catalog with a demo set, or tops it up to <c>Catalog:Seed:Products</c> generated products
/// with a binary COPY (100,000 in seconds). Seeded rows publish no events: search builds its index from the
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
        var db = scope.ServiceProvider.GetRequiredService<CatalogDb>();

        var existing = await db.Products.CountAsync(ct);
        var target = options.Seed.Products > 0 ? options.Seed.Products : existing == 0 ? options.DemoProducts : 0;
        if (target <= existing)
        {
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var products = ProductGenerator.Generate(target - existing, seed: 20261122 + existing, time.GetUtcNow(), startIndex: existing);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY products (id, sku, name, description, brand, category, price, currency, attributes, variants, variant_skus, images, status, version, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var p in products)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(p.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(p.Sku, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Name, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Description, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Brand, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Category, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Price, NpgsqlDbType.Numeric, ct);
                await copy.WriteAsync(p.Currency, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Attributes, NpgsqlDbType.Jsonb, ct);
                await copy.WriteAsync(p.Variants, NpgsqlDbType.Jsonb, ct);
                await copy.WriteAsync(p.VariantSkus, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(p.Images, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(p.Status, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(p.Version, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(p.CreatedAt, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(p.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
            }

            await copy.CompleteAsync(ct);
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE products", connection))
        {
            await analyze.ExecuteNonQueryAsync(ct);
        }

        LogSeeded(logger, target - existing, clock.ElapsedMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Count} products in {Milliseconds} ms")]
    private static partial void LogSeeded(ILogger logger, int count, long milliseconds);
}
