using System.Globalization;
using System.Text.Json;
using Catalog.Api.Infrastructure;
using Ecommerce.Contracts.Events;
using Ecommerce.Contracts.Outbox;
using Ecommerce.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Api.Products;

public static class ProductEndpoints
{
    private const string ProblemBase = "https://polyglot-commerce.dev/problems/";

    public static void MapProducts(this IEndpointRouteBuilder app)
    {
        var catalog = app.MapGroup("/api/catalog").WithTags("Catalog");
        catalog.MapGet("/products", List);
        catalog.MapGet("/products/batch", Batch);
        catalog.MapGet("/products/{id:guid}", Get);
        catalog.MapGet("/categories", Categories);
        catalog.MapGet("/brands", Brands);

        var admin = catalog.MapGroup("/products").RequireAuthorization(Policies.Admin);
        admin.MapPost("/", Create);
        admin.MapPut("/{id:guid}", Update);
        admin.MapDelete("/{id:guid}", Delete);
    }

    private static async Task<Results<Ok<ProductPage>, ProblemHttpResult>> List(HttpRequest request, CatalogDb db, CancellationToken ct)
    {
        var q = request.Query;
        var sort = q["sort"].FirstOrDefault() ?? "name";
        if (!Browse.Sorts.Contains(sort)) return Invalid($"sort must be one of {string.Join(", ", Browse.Sorts)}.");
        if (!TryInt(q["limit"], Browse.DefaultLimit, out var limit) || limit is < 1 or > Browse.MaxLimit) return Invalid($"limit must be from 1 to {Browse.MaxLimit}.");
        if (!TryDecimal(q["minPrice"], out var min) || !TryDecimal(q["maxPrice"], out var max) || min < 0 || (min is not null && max is not null && min > max))
        {
            return Invalid("minPrice and maxPrice must be numbers with 0 ≤ minPrice ≤ maxPrice.");
        }

        BrowseCursor? after = null;
        if (q["cursor"].FirstOrDefault() is { } text && (after = Browse.Decode(text, sort)) is null)
        {
            return Invalid("cursor is not one this API issued for this sort.");
        }

        var attributes = q.Where(kv => kv.Key.StartsWith("attr.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[5..], kv => kv.Value.ToString(), StringComparer.Ordinal);
        if (attributes.Count > 10 || attributes.Any(a => a.Key.Length is 0 or > 40 || a.Value.Length > 200))
        {
            return Invalid("At most 10 attr.<name>=<value> filters, names ≤ 40 and values ≤ 200 characters.");
        }

        var page = await Browse.RunAsync(db, new BrowseQuery(q["category"].FirstOrDefault(), q["brand"].FirstOrDefault(), min, max,
            attributes, sort, limit, after), ct);
        return TypedResults.Ok(page);
    }

    /// <summary>Several products at once, by ids or by skus (product or variant skus): how carts and orders price lines.</summary>
    private static async Task<Results<Ok<List<ProductResponse>>, ProblemHttpResult>> Batch(string? ids, string? skus, CatalogDb db, CancellationToken ct)
    {
        var idList = Split(ids);
        var skuList = Split(skus);
        if (idList.Length + skuList.Length is 0 or > 100)
        {
            return Invalid("Pass 1 to 100 ids (?ids=a,b) or skus (?skus=a,b).");
        }

        var guids = new List<Guid>();
        foreach (var id in idList)
        {
            if (!Guid.TryParse(id, out var g)) return Invalid($"'{id}' is not a product id.");
            guids.Add(g);
        }

        var products = await db.Products.AsNoTracking()
            .Where(p => guids.Contains(p.Id) || skuList.Contains(p.Sku) || p.VariantSkus.Any(v => skuList.Contains(v)))
            .ToListAsync(ct);
        return TypedResults.Ok(products.Select(ProductResponse.From).ToList());
    }

    private static async Task<Results<Ok<ProductResponse>, StatusCodeHttpResult, ProblemHttpResult>> Get(
        Guid id, HttpContext context, ProductCache cache, CancellationToken ct)
    {
        var product = await cache.GetAsync(id, ct);
        // Drafts are not public: only an admin sees them.
        if (product is null || (product.Status == ProductStatus.Draft && !context.User.IsAdmin()))
        {
            return NotFound(id);
        }

        var etag = ETag(product.Version);
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(product);
    }

    private static async Task<Ok<List<FacetCount>>> Categories(CatalogDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Products.Where(p => p.Status == ProductStatus.Active).GroupBy(p => p.Category).OrderBy(g => g.Key)
            .Select(g => new FacetCount(g.Key, g.Count())).ToListAsync(ct));

    private static async Task<Ok<List<FacetCount>>> Brands(CatalogDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Products.Where(p => p.Status == ProductStatus.Active).GroupBy(p => p.Brand).OrderBy(g => g.Key)
            .Select(g => new FacetCount(g.Key, g.Count())).ToListAsync(ct));

    private static async Task<Results<Created<ProductResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ProductRequest request, CatalogDb db, ProductWriter writer, TimeProvider time, CancellationToken ct)
    {
        var errors = ProductRules.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, type: ProblemBase + "validation", title: "Invalid product");

        var now = time.GetUtcNow();
        var product = new Product
        {
            Id = Guid.CreateVersion7(now), Sku = request.Sku!, Name = "", Brand = "", Category = "", Currency = "", Status = "",
            Version = 1, CreatedAt = now,
        };
        Apply(product, request, now);
        if (await SkuTakenAsync(db, product, ct) is { } taken) return taken;

        db.Products.Add(product);
        var saved = await writer.SaveAsync(db, product, new ProductUpserted(ProductResponse.From(product).ToSnapshot()), ct);
        return saved is null
            ? TypedResults.Created($"/api/catalog/products/{product.Id}", ProductResponse.From(product))
            : saved;
    }

    /// <summary>Full replacement, guarded by <c>If-Match</c>: a stale version is a 412 and nothing changes.</summary>
    private static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ProductRequest request, HttpContext context, CatalogDb db, ProductWriter writer, TimeProvider time, CancellationToken ct)
    {
        if (ParseIfMatch(context) is not { } expected)
        {
            return TypedResults.Problem("Send If-Match with the product's ETag (GET it first).", statusCode: 428,
                title: "Precondition required", type: ProblemBase + "precondition-required");
        }

        var errors = ProductRules.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, type: ProblemBase + "validation", title: "Invalid product");

        var product = await db.Products.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (product is null) return NotFound(id);
        if (product.Version != expected) return Stale(id, product.Version);

        var now = time.GetUtcNow();
        product.Sku = request.Sku!;
        Apply(product, request, now);
        product.Version++;
        if (await SkuTakenAsync(db, product, ct) is { } taken) return taken;

        var saved = await writer.SaveAsync(db, product, new ProductUpserted(ProductResponse.From(product).ToSnapshot()), ct);
        if (saved is not null) return saved;
        context.Response.Headers.ETag = ETag(product.Version);
        return TypedResults.Ok(ProductResponse.From(product));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, HttpContext context, CatalogDb db, ProductWriter writer, CancellationToken ct)
    {
        var product = await db.Products.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (product is null) return NotFound(id);
        if (ParseIfMatch(context) is { } expected && expected != product.Version) return Stale(id, product.Version);

        db.Products.Remove(product);
        var saved = await writer.SaveAsync(db, product, new ProductDeleted(product.Id, product.Sku, product.Version + 1, product.VariantSkus), ct);
        return saved is null ? TypedResults.NoContent() : saved;
    }

    private static void Apply(Product p, ProductRequest r, DateTimeOffset now)
    {
        p.Name = r.Name!.Trim();
        p.Description = r.Description?.Trim() ?? "";
        p.Brand = r.Brand!.Trim();
        p.Category = r.Category!.Trim();
        p.Price = r.Price!.Value;
        p.Currency = r.Currency!;
        p.Attributes = JsonSerializer.Serialize(r.Attributes ?? [], CatalogJson.Default.DictionaryStringJsonElement);
        var variants = (r.Variants ?? []).Select(v => new VariantResponse(v.Sku!, v.Attributes ?? [], v.Price)).ToList();
        p.Variants = JsonSerializer.Serialize(variants, CatalogJson.Default.ListVariantResponse);
        p.VariantSkus = variants.Select(v => v.Sku).ToArray();
        p.Images = (r.Images ?? []).ToArray();
        p.Status = r.Status ?? ProductStatus.Draft;
        p.UpdatedAt = now;
    }

    /// <summary>A sku (product or variant) belongs to one product only.</summary>
    private static async Task<ProblemHttpResult?> SkuTakenAsync(CatalogDb db, Product p, CancellationToken ct)
    {
        var skus = p.VariantSkus.Append(p.Sku).ToArray();
        var clash = await db.Products.AsNoTracking()
            .Where(o => o.Id != p.Id && (skus.Contains(o.Sku) || o.VariantSkus.Any(v => skus.Contains(v))))
            .Select(o => o.Sku).FirstOrDefaultAsync(ct);
        return clash is null ? null : TypedResults.Problem($"A sku of this product is already used by product '{clash}'.",
            statusCode: 409, title: "Sku already used", type: ProblemBase + "sku-conflict");
    }

    private static long? ParseIfMatch(HttpContext context)
    {
        var value = context.Request.Headers.IfMatch.ToString().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        return value.Length > 3 && value.StartsWith("\"v", StringComparison.Ordinal) && value.EndsWith('"')
            && long.TryParse(value[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }

    public static string ETag(long version) => $"\"v{version}\"";

    private static ProblemHttpResult Stale(Guid id, long current) =>
        TypedResults.Problem($"Product {id} is at version {current}; your If-Match is stale. GET it again.", statusCode: 412,
            title: "Precondition failed", type: ProblemBase + "stale-version");

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"Product {id} was not found.", statusCode: 404, title: "Not found", type: ProblemBase + "not-found");

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: 400, title: "Invalid request", type: ProblemBase + "validation");

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
        if (!decimal.TryParse(value.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d)) return false;
        result = d;
        return true;
    }
}

/// <summary>Saves a product change and its event in one transaction, then invalidates the cache and wakes the relay.</summary>
public sealed class ProductWriter(ProductCache cache, OutboxRelay<CatalogDb> relay, TimeProvider time)
{
    /// <returns>Null on success, or the problem to answer (a concurrent writer won).</returns>
    public async Task<ProblemHttpResult?> SaveAsync(CatalogDb db, Product product, IntegrationEvent e, CancellationToken ct)
    {
        db.AddToOutbox(EventStreams.Catalog, e, time.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct); // one implicit transaction: the row and its event, or neither
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem($"Product {product.Id} was changed by someone else meanwhile. GET it again.", statusCode: 412,
                title: "Precondition failed", type: "https://polyglot-commerce.dev/problems/stale-version");
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem("That sku is already used by another product.", statusCode: 409, title: "Sku already used",
                type: "https://polyglot-commerce.dev/problems/sku-conflict");
        }

        await cache.InvalidateAsync(product.Id);
        relay.Notify();
        return null;
    }
}
