using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Ecommerce.Authentication;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Inventory;

public sealed record WarehouseStock(string Warehouse, int OnHand, int Reserved);

public sealed record InventoryResponse(string Sku, int OnHand, int Reserved, int Available, IReadOnlyList<WarehouseStock> Warehouses);

public sealed record SetStockRequest(string? Warehouse, int? OnHand);

public static class InventoryEndpoints
{
    public const int MaxSkusPerLookup = 100;
    public const int MaxOnHand = 10_000_000;

    public static void MapInventory(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inventory").WithTags("Inventory");
        group.MapGet("/{sku}", GetOne);
        group.MapGet("/", GetMany);
        group.MapPut("/{sku}", SetStock).RequireAuthorization(Policies.Admin);
        group.MapPost("/admin/seed", StockSeeding.SeedAsync).RequireAuthorization(Policies.Admin).WithTags("Inventory admin");
    }

    private static async Task<Results<Ok<InventoryResponse>, ProblemHttpResult>> GetOne(string sku, OrderingDb db, CancellationToken ct)
    {
        if (Identifiers.CanonicalSkuOrNull(sku) is not { } canonical)
        {
            return Problems.NotFound($"No stock is recorded for sku '{sku}'."); // no such sku can exist
        }

        sku = canonical;
        var rows = await db.Stock.AsNoTracking().Where(s => s.Sku == sku).OrderBy(s => s.Warehouse).ToListAsync(ct);
        return rows.Count == 0 ? Problems.NotFound($"No stock is recorded for sku '{sku}'.") : TypedResults.Ok(ToResponse(sku, rows));
    }

    private static async Task<Results<Ok<List<InventoryResponse>>, ProblemHttpResult>> GetMany(string? skus, OrderingDb db, CancellationToken ct)
    {
        var raw = (skus ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (raw.Length is 0 or > MaxSkusPerLookup)
        {
            return ValidationProblems.Field("skus", $"Pass 1 to {MaxSkusPerLookup} skus: ?skus=a,b,c");
        }

        // A value that is no sku has no stock; it is not sent to the database at all.
        var list = raw.Select(Identifiers.CanonicalSkuOrNull).OfType<string>().Distinct().ToArray();

        var rows = await db.Stock.AsNoTracking().Where(s => list.Contains(s.Sku)).OrderBy(s => s.Sku).ThenBy(s => s.Warehouse).ToListAsync(ct);
        return TypedResults.Ok(rows.GroupBy(r => r.Sku).Select(g => ToResponse(g.Key, g.ToList())).ToList());
    }

    /// <summary>Sets on-hand stock in one warehouse. It may not go below what is reserved there.</summary>
    private static async Task<Results<Ok<InventoryResponse>, ProblemHttpResult>> SetStock(
        string sku, SetStockRequest request, OrderingDb db, TimeProvider time, OutboxRelay<OrderingDb> relay, CancellationToken ct)
    {
        // Stock is kept for skus the catalog would accept, in the catalog's canonical form, and warehouses have one
        // spelling: "MAIN" and "main " are the warehouse "main", never a second one beside it.
        if (Identifiers.CanonicalSkuOrNull(sku) is not { } canonicalSku)
        {
            return ValidationProblems.Field("sku", Identifiers.SkuRule);
        }

        if (Identifiers.CanonicalWarehouseOrNull(request.Warehouse) is not { } warehouse)
        {
            return ValidationProblems.Field("warehouse", Identifiers.WarehouseRule);
        }

        sku = canonicalSku;
        request = request with { Warehouse = warehouse };

        if (request.OnHand is not { } onHand || onHand < 0 || onHand > MaxOnHand)
        {
            return ValidationProblems.Field("onHand", $"onHand is required, from 0 to {MaxOnHand}.");
        }

        var now = time.GetUtcNow();
        // One statement: insert, or update unless that would put on hand below reserved.
        var changed = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO stock (sku, warehouse, on_hand, reserved, updated_at) VALUES ({sku}, {request.Warehouse}, {onHand}, 0, {now})
            ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at
            WHERE stock.reserved <= EXCLUDED.on_hand
            """, ct);
        if (changed == 0)
        {
            var reserved = await db.Stock.Where(s => s.Sku == sku && s.Warehouse == request.Warehouse).Select(s => s.Reserved).SingleAsync(ct);
            return Problems.Conflict($"{reserved} units of '{sku}' are reserved in '{request.Warehouse}'; on hand cannot go below that.");
        }

        var rows = await db.Stock.AsNoTracking().Where(s => s.Sku == sku).OrderBy(s => s.Warehouse).ToListAsync(ct);
        var response = ToResponse(sku, rows);
        db.AddToOutbox(EventStreams.Ordering, new StockChanged(sku, response.Available), now);
        await db.SaveChangesAsync(ct);
        relay.Notify();
        return TypedResults.Ok(response);
    }

    private static InventoryResponse ToResponse(string sku, List<StockLevel> rows)
    {
        var onHand = rows.Sum(r => r.OnHand);
        var reserved = rows.Sum(r => r.Reserved);
        return new InventoryResponse(sku, onHand, reserved, onHand - reserved,
            rows.Select(r => new WarehouseStock(r.Warehouse, r.OnHand, r.Reserved)).ToList());
    }
}
