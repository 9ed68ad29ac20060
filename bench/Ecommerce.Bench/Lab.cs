using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using Ecommerce.Authentication;

namespace Ecommerce.Bench;

/// <summary>
/// The shopping mix of the capacity estimate (../shared/seeds): product views : searches : cart operations :
/// orders ≈ 100 : 10 : 5 : 0.1, each request drawn at random with those weights, signed-in shoppers spread over
/// many users (the gateway limits writes per user, as it would for real shoppers).
/// </summary>
public sealed class ShoppingMix(IReadOnlyList<Guid> productIds, IReadOnlyList<string> skus, TokenIssuer issuer)
{
    private static readonly string[] Searches =
    [
        "runner", "leather boot", "wireless headphones", "espresso blend", "cotton tee", "laptop", "novel", "trail shoe", "organic", "ultrabook",
    ];

    private readonly string[] _customers = Enumerable.Range(0, 500).Select(_ => issuer.CreateAccessToken(Guid.CreateVersion7(), "shopper@bench.test", Roles.Customer)).ToArray();
    private readonly ConcurrentDictionary<int, string> _carts = new();

    public const double Views = 100, SearchesWeight = 10, CartOps = 5, Orders = 0.1;

#pragma warning disable CA5394 // load spreading, not security
    public async Task<bool> NextAsync(HttpClient http, long sequence, CancellationToken ct)
    {
        var roll = Random.Shared.NextDouble() * (Views + SearchesWeight + CartOps + Orders);
        if (roll < Views)
        {
            using var view = await http.GetAsync(new Uri($"/api/catalog/products/{productIds[Random.Shared.Next(productIds.Count)]}", UriKind.Relative), ct);
            return view.IsSuccessStatusCode;
        }

        if (roll < Views + SearchesWeight)
        {
            using var search = await http.GetAsync(new Uri($"/api/search?q={Uri.EscapeDataString(Searches[Random.Shared.Next(Searches.Length)])}", UriKind.Relative), ct);
            return search.IsSuccessStatusCode;
        }

        var customer = Random.Shared.Next(_customers.Length);
        var sku = skus[Random.Shared.Next(skus.Count)];
        if (roll < Views + SearchesWeight + CartOps)
        {
            if (!_carts.TryGetValue(customer, out var cart))
            {
                using var create = new HttpRequestMessage(HttpMethod.Post, "/api/carts");
                create.Headers.Authorization = new("Bearer", _customers[customer]);
                using var created = await http.SendAsync(create, ct);
                if (!created.IsSuccessStatusCode) return false;
                _carts[customer] = (await created.Content.ReadFromJsonAsync<CartId>(ct))!.Id;
                return true;
            }

            using var add = new HttpRequestMessage(HttpMethod.Post, $"/api/carts/{cart}/items") { Content = JsonContent.Create(new { sku, quantity = 1 }) };
            add.Headers.Authorization = new("Bearer", _customers[customer]);
            using var added = await http.SendAsync(add, ct);
            return added.IsSuccessStatusCode;
        }

        using var order = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new
            {
                lines = new[] { new { sku, quantity = 1 } },
                shippingAddress = new { name = "Bench", line1 = "1 Load St", city = "Berlin", postalCode = "10115", country = "DE" },
            }),
        };
        order.Headers.Authorization = new("Bearer", _customers[customer]);
        order.Headers.Add("Idempotency-Key", $"mix-{Guid.NewGuid():N}");
        using var placed = await http.SendAsync(order, ct);
        return placed.IsSuccessStatusCode;
    }
#pragma warning restore CA5394
}

/// <summary>A trivial ASP.NET Core endpoint: the ceiling of an HTTP request on this machine, for reading every other figure against.</summary>
public static class TrivialServer
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.RunAsync();
    }
}
