using Ecommerce.Http.Input;
using Ecommerce.Http.Problems;
using Catalog.Api.Products;
using Catalog.Api.Stores;
using Ecommerce.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalog.Api.Seed;

/// <summary>
/// <c>POST /api/catalog/admin/seed?products=n</c> (admin): adds n generated products, the dashboard's "Seed products"
/// command. Like start-up seeding it publishes no events: rebuild the search index afterwards.
/// </summary>
public static class SeedEndpoints
{
    public const int MaxProducts = 100_000;

    // Skus continue from the count: two seeds at once would number the same skus (one replica; across replicas the
    // unique sku constraint refuses the second).
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public sealed record SeedResult(int Added, int Total);

    public static void MapSeed(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/catalog/admin/seed", Seed).RequireAuthorization(Policies.Admin).WithTags("Catalog admin")
            .DisableRequestTimeout(); // up to 100,000 products: longer than the default request budget

    private static async Task<Results<Ok<SeedResult>, ProblemHttpResult>> Seed(string? products, ICatalogStore store,
        IServiceProvider services, CancellationToken ct)
    {
        if (!int.TryParse(products, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            || count is < 1 or > MaxProducts)
        {
            return ValidationProblems.Field("products", $"products must be a whole number from 1 to {MaxProducts}.");
        }

        await OneAtATime.WaitAsync(ct);
        try
        {
            var total = await CatalogSeeder.AddAsync(services, store, count, ct);
            return TypedResults.Ok(new SeedResult(count, total));
        }
        finally
        {
            OneAtATime.Release();
        }
    }
}
