using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests.Security;

/// <summary>OWASP API6:2023 — a scripted rush on a scarce product cannot oversell, and a replayed purchase is one purchase.</summary>
public sealed class Api6SensitiveBusinessFlowsTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_scripted_burst_of_cart_to_checkout_purchases_sells_exactly_the_stock()
    {
        const int stock = 5, buyers = 25;
        var sku = await Shop.ProductAsync(platform, 99m, stock);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, buyers).Select(async _ =>
        {
            using var bot = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
            using var created = await bot.PostAsync(new Uri("/api/carts", UriKind.Relative), null, Shop.Ct);
            var cart = (await Shop.JsonAsync(created)).GetProperty("id").GetString();
            (await bot.PostAsJsonAsync($"/api/carts/{cart}/items", new { sku, quantity = 1 }, Shop.Ct)).EnsureSuccessStatusCode();
            using var order = await Shop.OrderAsync(bot, new { cartId = cart, shippingAddress = Shop.Address });
            return order.StatusCode;
        }));
        var inventory = await platform.CreateClient().GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}", Shop.Ct);

        Assert.Equal(stock, outcomes.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(buyers - stock, outcomes.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal((stock, 0), (inventory.GetProperty("reserved").GetInt32(), inventory.GetProperty("available").GetInt32()));
    }

    [Fact]
    public async Task Replaying_a_purchase_with_its_idempotency_key_returns_the_same_order_and_buys_once()
    {
        var sku = await Shop.ProductAsync(platform, 10m, 10);
        using var customer = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var key = Guid.NewGuid().ToString();
        var body = new { lines = new[] { new { sku, quantity = 2 } }, shippingAddress = Shop.Address };

        var replies = new List<JsonElement>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            using var response = await Shop.OrderAsync(customer, body, key);
            replies.Add(await Shop.JsonAsync(response));
        }

        using var otherBody = await Shop.OrderAsync(customer, new { lines = new[] { new { sku, quantity = 3 } }, shippingAddress = Shop.Address }, key);
        var inventory = await platform.CreateClient().GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}", Shop.Ct);

        Assert.Single(replies.Select(r => r.GetProperty("id").GetGuid()).Distinct());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.Equal(2, inventory.GetProperty("reserved").GetInt32());
    }
}
