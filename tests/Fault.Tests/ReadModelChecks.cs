using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Fault.Tests;

/// <summary>
/// The consumers' read models, read back after a run: search must match the catalog (name, price) and ordering's stock
/// (in stock while units are available); every cart a checkout was answered 2xx for must be gone (the cart consumer
/// deletes it on OrderPlaced). Each returns what does not match yet, so the caller can poll until nothing does.
/// </summary>
public static class ReadModelChecks
{
    public static async Task<List<string>> SearchMismatchesAsync(FaultPlatform platform, Catalog catalog, NpgsqlDataSource ordering, CancellationToken ct)
    {
        var problems = new List<string>();
        using var client = platform.CreateClient(timeout: TimeSpan.FromSeconds(10));
        var available = await AvailableAsync(ordering, catalog.Products.Select(p => p.Sku).ToArray(), ct);
        foreach (var (sku, productId) in catalog.Products)
        {
            try
            {
                using var product = await client.GetAsync($"/api/catalog/products/{productId}", ct);
                using var search = await client.GetAsync($"/api/search?q={Uri.EscapeDataString(sku)}&pageSize=5", ct);
                if (product.StatusCode != HttpStatusCode.OK || search.StatusCode != HttpStatusCode.OK)
                {
                    problems.Add($"{sku}: catalog {(int)product.StatusCode}, search {(int)search.StatusCode}");
                    continue;
                }

                var truth = await product.Content.ReadFromJsonAsync<JsonElement>(ct);
                var items = (await search.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").EnumerateArray()
                    .Where(i => i.GetProperty("sku").GetString() == sku).ToList();
                if (items.Count != 1)
                {
                    problems.Add($"{sku}: search finds it {items.Count} times");
                    continue;
                }

                var item = items[0];
                var inStock = available.GetValueOrDefault(sku) > 0;
                if (item.GetProperty("name").GetString() != truth.GetProperty("name").GetString()
                    || item.GetProperty("price").GetDecimal() != truth.GetProperty("price").GetDecimal()
                    || item.GetProperty("inStock").GetBoolean() != inStock)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{sku}: search says {item.GetProperty("name")} {item.GetProperty("price")} inStock={item.GetProperty("inStock")}, the stores say {truth.GetProperty("name")} {truth.GetProperty("price")} inStock={inStock} ({available.GetValueOrDefault(sku)} available)"));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or NpgsqlException)
            {
                problems.Add($"{sku}: not readable yet ({ex.GetType().Name})");
            }
        }

        return problems;
    }

    /// <summary>Carts a checkout named and that were answered 2xx: each must be deleted by the cart's OrderPlaced consumer.</summary>
    public static async Task<List<string>> CartsNotDroppedAsync(FaultPlatform platform, IReadOnlyList<Sample> samples, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var checkout in samples.Where(s => s is { Op: "checkout", OrderId: not null, CartId: not null }))
        {
            try
            {
                using var client = platform.CreateClient(TestTokens.Customer(checkout.Customer), TimeSpan.FromSeconds(10));
                using var response = await client.GetAsync($"/api/carts/{checkout.CartId}", ct);
                if (response.StatusCode != HttpStatusCode.NotFound)
                {
                    problems.Add($"cart {checkout.CartId} checked out as order {checkout.OrderId} still answers {(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                problems.Add($"cart {checkout.CartId}: not readable yet ({ex.GetType().Name})");
            }
        }

        return problems;
    }

    private static async Task<Dictionary<string, long>> AvailableAsync(NpgsqlDataSource ordering, string[] skus, CancellationToken ct)
    {
        await using var command = ordering.CreateCommand("SELECT sku, sum(on_hand - reserved) FROM stock WHERE sku = ANY($1) GROUP BY sku");
        command.Parameters.AddWithValue(skus);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }
}
