using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests.Security;

/// <summary>OWASP API3:2023 — mass assignment and data exposure: fields a client must not set are ignored, secrets never leave.</summary>
public sealed class Api3PropertyLevelAuthorizationTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_order_ignores_client_prices_totals_status_and_owner_and_charges_the_catalog_price()
    {
        var sku = await Shop.ProductAsync(platform, 25m, 5);
        var me = Guid.CreateVersion7();
        using var customer = platform.CreateClient(TestTokens.Customer(me));

        using var placed = await Shop.OrderAsync(customer, new
        {
            lines = new[] { new { sku, quantity = 2, unitPrice = 0.01m, price = 0.01m } },
            shippingAddress = Shop.Address, total = 0.02m, status = "Paid", customerId = Guid.CreateVersion7(), currency = "XXX",
        });
        var order = await Shop.JsonAsync(placed);

        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(50m, order.GetProperty("total").GetDecimal());
        Assert.Equal("Placed", order.GetProperty("status").GetString());
        Assert.Equal("EUR", order.GetProperty("currency").GetString());
        var mine = await customer.GetFromJsonAsync<JsonElement>($"/api/orders/{order.GetProperty("id").GetGuid()}", Shop.Ct);
        Assert.Equal(50m, mine.GetProperty("total").GetDecimal()); // the stored order, not just the reply
    }

    [Fact]
    public async Task A_cart_line_is_priced_by_the_catalog_whatever_price_the_client_sends()
    {
        var sku = await Shop.ProductAsync(platform, 19.99m, 5);
        using var customer = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var created = await customer.PostAsync(new Uri("/api/carts", UriKind.Relative), null, Shop.Ct);
        var cart = (await Shop.JsonAsync(created)).GetProperty("id").GetString();

        (await customer.PostAsJsonAsync($"/api/carts/{cart}/items", new { sku, quantity = 1, unitPrice = 0.01m, price = 0.01m, lineTotal = 0m }, Shop.Ct)).EnsureSuccessStatusCode();
        var line = (await customer.GetFromJsonAsync<JsonElement>($"/api/carts/{cart}", Shop.Ct)).GetProperty("lines")[0];

        Assert.Equal(19.99m, line.GetProperty("unitPrice").GetDecimal());
        Assert.Equal(19.99m, line.GetProperty("lineTotal").GetDecimal());
    }

    [Fact]
    public async Task A_profile_update_cannot_change_role_email_or_id_and_no_secret_is_ever_returned()
    {
        using var client = Shop.From(platform, IPAddress.Parse("127.0.3.1"));
        var email = $"sec-{Guid.NewGuid():N}@shop.test";
        using var registered = await client.PostAsJsonAsync("/api/identity/register", new { email, password = "Str0ng-enough-pw", name = "Sec", role = "admin" }, Shop.Ct);
        using var signIn = await client.PostAsJsonAsync("/api/identity/token", new { email, password = "Str0ng-enough-pw" }, Shop.Ct);
        var token = (await Shop.JsonAsync(signIn)).GetProperty("accessToken").GetString();
        using var me = platform.CreateClient(token);
        var before = await me.GetFromJsonAsync<JsonElement>("/api/identity/me", Shop.Ct);

        using var update = await me.PutAsJsonAsync("/api/identity/me", new
        {
            name = "Renamed", role = "admin", email = "takeover@shop.test", id = Guid.CreateVersion7(), passwordHash = "x", addresses = Array.Empty<object>(),
        }, Shop.Ct);
        var after = await me.GetFromJsonAsync<JsonElement>("/api/identity/me", Shop.Ct);
        using var adminCall = await me.PutAsJsonAsync("/api/inventory/ANY-SKU", new { warehouse = "main", onHand = 1 }, Shop.Ct);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.True(update.IsSuccessStatusCode, $"update: {update.StatusCode}");
        Assert.Equal(("Renamed", "customer", email, before.GetProperty("id").GetGuid()),
            (after.GetProperty("name").GetString(), after.GetProperty("role").GetString(), after.GetProperty("email").GetString(), after.GetProperty("id").GetGuid()));
        Assert.Equal(HttpStatusCode.Forbidden, adminCall.StatusCode);
        foreach (var body in new[] { await registered.Content.ReadAsStringAsync(Shop.Ct), before.GetRawText(), after.GetRawText() })
        {
            Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("refresh", body, StringComparison.OrdinalIgnoreCase);
        }
    }
}
