using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests.Security;

/// <summary>OWASP API1:2023 — one customer reaching another's objects by id. Everything answers 404, as if it did not exist.</summary>
public sealed class Api1BrokenObjectLevelAuthorizationTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_customer_cannot_read_pay_cancel_or_see_the_history_of_another_customers_order()
    {
        var sku = await Shop.ProductAsync(platform, 10m, 5);
        using var alice = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var mallory = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var placed = await Shop.OrderAsync(alice, new { lines = new[] { new { sku, quantity = 1 } }, shippingAddress = Shop.Address });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var id = (await Shop.JsonAsync(placed)).GetProperty("id").GetGuid();

        using var read = await mallory.GetAsync(new Uri($"/api/orders/{id}", UriKind.Relative), Shop.Ct);
        using var history = await mallory.GetAsync(new Uri($"/api/orders/{id}/history", UriKind.Relative), Shop.Ct);
        using var payRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{id}/pay") { Content = JsonContent.Create(new { paymentMethod = "tok_visa" }) };
        payRequest.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var pay = await mallory.SendAsync(payRequest, Shop.Ct);
        using var cancel = await mallory.PostAsync(new Uri($"/api/orders/{id}/cancel", UriKind.Relative), null, Shop.Ct);
        var list = await mallory.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/orders", Shop.Ct);
        var stillPlaced = await alice.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/orders/{id}", Shop.Ct);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound],
            [read.StatusCode, history.StatusCode, pay.StatusCode, cancel.StatusCode]);
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        Assert.Equal("Placed", stillPlaced.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_customer_cannot_read_fill_empty_or_claim_another_customers_cart()
    {
        var sku = await Shop.ProductAsync(platform, 10m, 5);
        using var alice = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var mallory = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var created = await alice.PostAsync(new Uri("/api/carts", UriKind.Relative), null, Shop.Ct);
        var cart = (await Shop.JsonAsync(created)).GetProperty("id").GetString();
        (await alice.PostAsJsonAsync($"/api/carts/{cart}/items", new { sku, quantity = 2 }, Shop.Ct)).EnsureSuccessStatusCode();

        using var read = await mallory.GetAsync(new Uri($"/api/carts/{cart}", UriKind.Relative), Shop.Ct);
        using var add = await mallory.PostAsJsonAsync($"/api/carts/{cart}/items", new { sku, quantity = 1 }, Shop.Ct);
        using var remove = await mallory.DeleteAsync(new Uri($"/api/carts/{cart}/items/{sku}", UriKind.Relative), Shop.Ct);
        using var delete = await mallory.DeleteAsync(new Uri($"/api/carts/{cart}", UriKind.Relative), Shop.Ct);
        using var claim = await mallory.PostAsync(new Uri($"/api/carts/{cart}/claim", UriKind.Relative), null, Shop.Ct);
        using var checkout = await Shop.OrderAsync(mallory, new { cartId = cart, shippingAddress = Shop.Address });
        var intact = await alice.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/carts/{cart}", Shop.Ct);

        Assert.All(new[] { read, add, remove, delete, claim }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.True(checkout.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"checkout of another's cart: {checkout.StatusCode}");
        Assert.Equal(2, intact.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task Guessed_ids_look_exactly_like_missing_ones()
    {
        using var mallory = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var order = await mallory.GetAsync(new Uri($"/api/orders/{Guid.CreateVersion7()}", UriKind.Relative), Shop.Ct);
        using var cart = await mallory.GetAsync(new Uri("/api/carts/AAAAAAAAAAAAAAAAAAAAAA", UriKind.Relative), Shop.Ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (order.StatusCode, cart.StatusCode));
        Assert.Equal("application/problem+json", order.Content.Headers.ContentType?.MediaType);
    }
}
