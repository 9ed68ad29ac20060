using System.Net.Http.Json;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Inventory;

public sealed record StockSeedResult(int Skus, int Stocked, int OnHand, string Warehouse);

/// <summary>
/// Demo stock: every sku the catalog sells (product and variant skus of active products) that has no stock at all gets
/// <c>onHand</c> units in warehouse <c>main</c>, so a new user can buy anything a seeded catalog shows. A sku that has
/// any stock row is left alone: an admin's 0 means sold out on purpose, and a re-run must not undo sales. The AppHost
/// calls it once the platform is ready (<c>--stock</c>), and the dashboard's "Stock every sku" command again after a
/// catalog seed.
/// </summary>
public static partial class StockSeeding
{
    public const string Warehouse = "main";
    private const int PageSize = 100;

    public static async Task<Results<Ok<StockSeedResult>, ProblemHttpResult>> SeedAsync(int? onHand, IHttpClientFactory clients,
        IConfiguration configuration, OrderingDb db, TimeProvider time, OutboxRelay<OrderingDb> relay, ILoggerFactory loggers, CancellationToken ct)
    {
        if (onHand is not { } units || units < 1 || units > InventoryEndpoints.MaxOnHand)
        {
            return ValidationProblems.Field("onHand", $"must be a whole number from 1 to {InventoryEndpoints.MaxOnHand}.");
        }

        // The default client carries service discovery and resilience (ServiceDefaults), like the typed catalog client.
        using var http = clients.CreateClient();
        http.BaseAddress = new Uri(configuration["Ordering:CatalogUrl"] ?? "http://catalog-api");
        int skus = 0, stocked = 0;
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<CatalogPage>(
                $"/api/catalog/products?limit={PageSize}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), ct)
                ?? throw new InvalidOperationException("The catalog answered an empty product page.");
            var pageSkus = page.Items.SelectMany(p => (p.Variants ?? []).Select(v => v.Sku).Prepend(p.Sku))
                .Select(Identifiers.CanonicalSkuOrNull).OfType<string>().Distinct().ToArray();
            skus += pageSkus.Length;
            stocked += await StockPageAsync(db, pageSkus, units, time.GetUtcNow(), ct);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        if (stocked > 0) relay.Notify();
        LogSeeded(loggers.CreateLogger(typeof(StockSeeding)), stocked, skus, units);
        return TypedResults.Ok(new StockSeedResult(skus, stocked, units, Warehouse));
    }

    /// <summary>One transaction per page: the rows and their StockChanged events (search's in-stock flag) commit together.</summary>
    private static async Task<int> StockPageAsync(OrderingDb db, string[] skus, int onHand, DateTimeOffset now, CancellationToken ct)
    {
        if (skus.Length == 0) return 0;
        return (await db.InTransactionAsync(async () =>
        {
            var added = await db.Database.SqlQuery<string>($"""
                INSERT INTO stock (sku, warehouse, on_hand, reserved, updated_at)
                SELECT s, {Warehouse}, {onHand}, 0, {now} FROM unnest({skus}) AS s
                WHERE NOT EXISTS (SELECT 1 FROM stock WHERE stock.sku = s)
                ON CONFLICT (sku, warehouse) DO NOTHING
                RETURNING sku AS "Value"
                """).ToListAsync(ct);
            foreach (var sku in added)
            {
                db.AddToOutbox(EventStreams.Ordering, new StockChanged(sku, onHand), now);
            }

            await db.SaveChangesAsync(ct);
            return Transacted.Commit(added.Count);
        }, ct)).Value;
    }

    private sealed record CatalogPage(List<CatalogProduct> Items, string? NextCursor);

    private sealed record CatalogProduct(string Sku, List<CatalogVariant>? Variants);

    private sealed record CatalogVariant(string Sku);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stocked {Stocked} of {Skus} catalog skus with {OnHand} units each (the others had stock)")]
    private static partial void LogSeeded(ILogger logger, int stocked, int skus, int onHand);
}
