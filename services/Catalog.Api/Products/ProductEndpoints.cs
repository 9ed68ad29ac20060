using System.Globalization;
using Microsoft.Net.Http.Headers;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Ecommerce.Authentication;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalog.Api.Products;

public static class ProductEndpoints
{

    public static void MapProducts(this IEndpointRouteBuilder app)
    {
        var catalog = app.MapGroup("/api/catalog").WithTags("Catalog");
        catalog.MapGet("/products", List).WithSummary("Browse active products, one keyset page")
            .WithDescription("category and brand match case-insensitively (trimmed, lower case). `total` is how many products match the " +
                $"filters on every page, counted up to {Browse.TotalCap}; `totalIsExact` is false past that (show \"{Browse.TotalCap}+\").");
        catalog.MapGet("/products/batch", Batch);
        catalog.MapGet("/products/{id:guid}", Get).WithSummary("A product, with its ETag")
            .WithDescription("If-None-Match (weak comparison, * too) answers 304 with the ETag and no body; a malformed one is a 400.");
        catalog.MapGet("/categories", Categories);
        catalog.MapGet("/brands", Brands);

        var admin = catalog.MapGroup("/products").RequireAuthorization(Policies.Admin);
        admin.MapPost("/", Create);
        admin.MapPut("/{id:guid}", Update);
        admin.MapDelete("/{id:guid}", Delete);
    }

    private static async Task<Results<Ok<ProductPage>, ProblemHttpResult>> List(HttpRequest request, ICatalogStore store, CancellationToken ct)
    {
        var q = request.Query;
        var sort = q["sort"].FirstOrDefault() ?? "name";
        if (!Browse.Sorts.Contains(sort)) return ValidationProblems.Field("sort", $"sort must be one of {string.Join(", ", Browse.Sorts)}.");
        if (!TryInt(q["limit"], Browse.DefaultLimit, out var limit) || limit is < 1 or > Browse.MaxLimit) return ValidationProblems.Field("limit", $"limit must be from 1 to {Browse.MaxLimit}.");
        if (!TryDecimal(q["minPrice"], out var min) || !TryDecimal(q["maxPrice"], out var max) || min < 0 || (min is not null && max is not null && min > max))
        {
            return ValidationProblems.Field("minPrice", "minPrice and maxPrice must be numbers with 0 ≤ minPrice ≤ maxPrice.");
        }

        BrowseCursor? after = null;
        if (q["cursor"].FirstOrDefault() is { } text && (after = Browse.Decode(text, sort)) is null)
        {
            return ValidationProblems.Field("cursor", "cursor is not one this API issued for this sort.");
        }

        var attributes = q.Where(kv => kv.Key.StartsWith("attr.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[5..], kv => kv.Value.ToString(), StringComparer.Ordinal);
        // Names follow the attribute naming rule, so no filter can reach into anything but attributes (no '.', no '$').
        if (attributes.Count > 10 || attributes.Any(a => !ProductRules.IsAttributeName(a.Key) || a.Value.Length > 200))
        {
            return ValidationProblems.Field("attr", "At most 10 attr.<name>=<value> filters; names as attribute names (a lower-case letter, then letters, digits or '_', ≤ 40), values ≤ 200 characters.");
        }

        var query = new BrowseQuery(FacetKeys.Of(q["category"].FirstOrDefault()), FacetKeys.Of(q["brand"].FirstOrDefault()), min, max,
            attributes, sort, limit, after);
        var page = await store.BrowseAsync(query, ct);
        return TypedResults.Ok(Browse.WithTotal(page, await store.CountMatchesAsync(query, Browse.TotalCap + 1, ct)));
    }

    /// <summary>
    /// Several products at once, by ids or by skus (product or variant skus): how carts and orders price lines.
    /// Public like the detail page, so it shows what the detail page shows: drafts only to an admin. Carts and orders
    /// sell active products only, so they need no other path: a draft is simply absent, as an unknown sku is.
    /// </summary>
    private static async Task<Results<Ok<IReadOnlyList<ProductResponse>>, ProblemHttpResult>> Batch(string? ids, string? skus, HttpContext context,
        ICatalogStore store, CancellationToken ct)
    {
        var idList = Split(ids);
        var skuList = Split(skus).Select(s => Identifiers.CanonicalSkuOrNull(s) ?? s).Distinct().ToArray();
        if (idList.Length + skuList.Length is 0 or > 100)
        {
            return ValidationProblems.Field(idList.Length > 0 ? "ids" : "skus", "Pass 1 to 100 ids (?ids=a,b) or skus (?skus=a,b).");
        }

        var guids = new List<Guid>();
        foreach (var id in idList)
        {
            if (!Guid.TryParse(id, out var g)) return ValidationProblems.Field("ids", $"'{id}' is not a product id.");
            guids.Add(g);
        }

        var found = await store.FindManyAsync(guids, skuList, ct);
        return TypedResults.Ok<IReadOnlyList<ProductResponse>>(context.User.IsAdmin() ? found : found.Where(p => p.Status != ProductStatus.Draft).ToList());
    }

    private static async Task<Results<Ok<ProductResponse>, StatusCodeHttpResult, ProblemHttpResult>> Get(
        Guid id, HttpContext context, ProductCache cache, CancellationToken ct)
    {
        if (!ProductConditions.TryRead(context.Request, HeaderNames.IfNoneMatch, out var ifNoneMatch, out var malformed)) return malformed;
        var product = await cache.GetAsync(id, ct);
        // Drafts are not public: only an admin sees them.
        if (product is null || (product.Status == ProductStatus.Draft && !context.User.IsAdmin()))
        {
            return NotFound(id);
        }

        context.Response.Headers.ETag = ETag(product.Version);
        // Weak comparison (RFC 9110 §13.1.2): a cache holding W/"v3" has what "v3" is. The ETag goes on the 304 too.
        if (ifNoneMatch?.MatchesWeak(ProductConditions.ETagOf(product.Version)) == true)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(product);
    }

    private static async Task<Ok<IReadOnlyList<FacetCount>>> Categories(ICatalogStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.CountByAsync(ProductFacet.Category, ct));

    private static async Task<Ok<IReadOnlyList<FacetCount>>> Brands(ICatalogStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.CountByAsync(ProductFacet.Brand, ct));

    private static async Task<Results<Created<ProductResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ProductRequest request, HttpContext context, ICatalogStore store, ProductWriter writer, TimeProvider time, CancellationToken ct)
    {
        if (!ProductCommand.TryParse(request, out var command, out var errors)) return ValidationProblems.For(errors);

        var now = time.GetUtcNow();
        var product = command.ToResponse(Guid.CreateVersion7(now), version: 1, createdAt: now, now);
        if (await SkuTakenAsync(store, product, ct) is { } taken) return taken;

        var result = await store.InsertAsync(product, new ProductUpserted(product.ToSnapshot()), ct);
        if (await writer.CompleteAsync(result, product.Id) is { } problem) return problem;
        // The ETag of what was stored, so the creator can update it next without a GET first.
        context.Response.Headers.ETag = ETag(product.Version);
        return TypedResults.Created($"/api/catalog/products/{product.Id}", product);
    }

    /// <summary>Full replacement, guarded by <c>If-Match</c>: a stale version is a 412 and nothing changes.</summary>
    private static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ProductRequest request, HttpContext context, ICatalogStore store, ProductWriter writer, TimeProvider time, CancellationToken ct)
    {
        if (!ProductConditions.TryRead(context.Request, HeaderNames.IfMatch, out var ifMatch, out var malformed)) return malformed;
        if (ifMatch is null) return ProductConditions.Required();

        if (!ProductCommand.TryParse(request, out var command, out var errors)) return ValidationProblems.For(errors);

        var current = await store.FindAsync(id, ct);
        // "*" matches any current product, a list matches when one tag is the current one (strong comparison).
        if (current is null) return NotFound(id);
        if (!ifMatch.MatchesStrong(ProductConditions.ETagOf(current.Version))) return ProductConditions.Stale(id, current.Version);
        var expected = current.Version; // the store refuses the write if someone else wrote since this read

        var product = command.ToResponse(id, current.Version + 1, current.CreatedAt, time.GetUtcNow());
        if (await SkuTakenAsync(store, product, ct) is { } taken) return taken;

        var result = await store.ReplaceAsync(product, expected, new ProductUpserted(product.ToSnapshot()), ct);
        if (await writer.CompleteAsync(result, id) is { } problem) return problem;
        context.Response.Headers.ETag = ETag(product.Version);
        return TypedResults.Ok(product);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, HttpContext context, ICatalogStore store, ProductWriter writer, CancellationToken ct)
    {
        // If-Match is optional on delete (deleting whatever is there is a meaningful request); when sent it must match.
        if (!ProductConditions.TryRead(context.Request, HeaderNames.IfMatch, out var ifMatch, out var malformed)) return malformed;
        var product = await store.FindAsync(id, ct);
        if (product is null) return NotFound(id);
        if (ifMatch?.MatchesStrong(ProductConditions.ETagOf(product.Version)) == false) return ProductConditions.Stale(id, product.Version);

        var skus = product.Variants.Select(v => v.Sku).ToArray();
        var result = await store.DeleteAsync(id, product.Version, new ProductDeleted(product.Id, product.Sku, product.Version + 1, skus), ct);
        return await writer.CompleteAsync(result, id) is { } problem ? problem : TypedResults.NoContent();
    }

    /// <summary>A sku (product or variant) belongs to one product only. The stores' unique indexes are the last word under races.</summary>
    private static async Task<ProblemHttpResult?> SkuTakenAsync(ICatalogStore store, ProductResponse p, CancellationToken ct)
    {
        var skus = p.Variants.Select(v => v.Sku).Append(p.Sku).ToArray();
        var clash = await store.SkuOwnerAsync(p.Id, skus, ct);
        return clash is null ? null : SkuConflict($"A sku of this product is already used by product '{clash}'.");
    }

    internal static ProblemHttpResult SkuConflict(string detail) =>
        Problem.Of(ProblemTypes.SkuConflict, detail);

    public static string ETag(long version) => ProductConditions.ETagOf(version).ToString();

    internal static ProblemHttpResult NotFound(Guid id) =>
        Problem.Of(ProblemTypes.NotFound, $"Product {id} was not found.");

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();

    private static bool TryInt(Microsoft.Extensions.Primitives.StringValues value, int fallback, out int result)
    {
        result = fallback;
        return value.Count == 0 || int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    private static bool TryDecimal(Microsoft.Extensions.Primitives.StringValues value, out decimal? result)
    {
        result = null;
        if (value.Count == 0) return true;
        if (value.Count > 1 || !InvariantNumbers.TryParseDecimal(value.ToString(), out var d)) return false;
        result = d;
        return true;
    }
}

/// <summary>After a store write: invalidates the cache and wakes the relay, or says which problem to answer.</summary>
public sealed class ProductWriter(ProductCache cache, OutboxRelay relay)
{
    /// <returns>Null when the write was saved, or the problem to answer (a concurrent writer won).</returns>
    public async Task<ProblemHttpResult?> CompleteAsync(SaveResult result, Guid id)
    {
        if (result != SaveResult.Saved)
        {
            return result switch
            {
                SaveResult.NotFound => ProductEndpoints.NotFound(id),
                SaveResult.SkuTaken => ProductEndpoints.SkuConflict("A sku of this product is already used by another product."),
                _ => Problem.Of(ProblemTypes.StaleVersion, $"Product {id} was changed by someone else meanwhile. GET it again."),
            };
        }

        await cache.InvalidateAsync(id);
        relay.Notify();
        return null;
    }
}
