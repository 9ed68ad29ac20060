using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>A whole purchase through the gateway, every service real.</summary>
public sealed class ShoppingTests(PlatformFixture platform)
{
    private sealed record Created(Guid Id, string Sku, decimal Price);

    private sealed record CartCreated(string Id);

    private sealed record CartLine(string Sku, int Quantity, decimal? UnitPrice, bool? Available, int? AvailableQuantity);

    private sealed record Cart(string Id, List<CartLine> Lines, decimal Subtotal, string Currency);

    private sealed record Order(Guid Id, string Status, decimal Total, string Currency);

    private sealed record Inventory(string Sku, int OnHand, int Reserved, int Available);

    [Fact]
    public async Task A_guest_fills_a_cart_signs_in_claims_it_and_orders_at_catalog_prices()
    {
        var ct = TestContext.Current.CancellationToken;
        var sku = "E2E-MUG-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var guest = platform.CreateClient();
        var customerId = Guid.CreateVersion7();
        using var customer = platform.CreateClient(TestTokens.Customer(customerId));

        using (var create = await admin.PostAsJsonAsync("/api/catalog/products", new
        {
            sku, name = "End-to-end Mug", brand = "Acme", category = "mugs", price = 12.5m, currency = "EUR", status = "active",
            attributes = new { color = "red" },
        }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        (await admin.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse = "main", onHand = 5 }, ct)).EnsureSuccessStatusCode();

        using var newCart = await guest.PostAsync(new Uri("/api/carts", UriKind.Relative), null, ct);
        var cartId = (await newCart.Content.ReadFromJsonAsync<CartCreated>(ct))!.Id;
        (await guest.PostAsJsonAsync($"/api/carts/{cartId}/items", new { sku, quantity = 2, unitPrice = 0.01 }, ct)).EnsureSuccessStatusCode();
        // Availability reaches the cart as ordering's StockChanged event (the cart never calls ordering): poll, bounded.
        Cart? guestCart;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((guestCart = await guest.GetFromJsonAsync<Cart>($"/api/carts/{cartId}", ct))!.Lines.Single().AvailableQuantity != 5)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the cart still shows {guestCart.Lines.Single().AvailableQuantity} available");
            await Task.Delay(25, ct);
        }

        Assert.Equal(25m, guestCart.Subtotal);
        Assert.True(guestCart.Lines.Single().Available);

        using var claim = await customer.PostAsync(new Uri($"/api/carts/{cartId}/claim", UriKind.Relative), null, ct);
        var claimed = await claim.Content.ReadFromJsonAsync<Cart>(ct);
        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new
            {
                lines = claimed!.Lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }),
                shippingAddress = new { name = "Ada", line1 = "1 Way", city = "London", postalCode = "N1", country = "GB" },
                total = 0.02m,
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var placed = await customer.SendAsync(request, ct);
        var order = await placed.Content.ReadFromJsonAsync<Order>(ct);

        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal((25m, "EUR", "Placed"), (order!.Total, order.Currency, order.Status));
        Assert.Equal(new Inventory(sku, 5, 2, 3), await guest.GetFromJsonAsync<Inventory>($"/api/inventory/{sku}", ct));

        // Another customer can see neither the cart nor the order.
        using var stranger = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var otherOrder = await stranger.GetAsync(new Uri($"/api/orders/{order.Id}", UriKind.Relative), ct);
        using var otherCart = await stranger.GetAsync(new Uri($"/api/carts/{claimed.Id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, otherOrder.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherCart.StatusCode);
    }

    [Fact]
    public async Task Checking_out_a_cart_orders_its_lines_and_empties_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var guest = platform.CreateClient();
        using var customer = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var admin = platform.CreateClient(TestTokens.Admin());
        var page = await guest.GetFromJsonAsync<JsonElement>("/api/catalog/products?limit=2&sort=-price", ct);
        var skus = page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("sku").GetString()!).ToList();
        foreach (var sku in skus)
        {
            (await admin.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse = "main", onHand = 50 }, ct)).EnsureSuccessStatusCode();
        }

        using var newCart = await customer.PostAsync(new Uri("/api/carts", UriKind.Relative), null, ct);
        var cartId = (await newCart.Content.ReadFromJsonAsync<CartCreated>(ct))!.Id;
        foreach (var sku in skus)
        {
            (await customer.PostAsJsonAsync($"/api/carts/{cartId}/items", new { sku, quantity = 1 }, ct)).EnsureSuccessStatusCode();
        }

        var cart = await customer.GetFromJsonAsync<Cart>($"/api/carts/{cartId}", ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new { cartId, shippingAddress = new { name = "Ada", line1 = "1 Way", city = "London", postalCode = "N1", country = "GB" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var placed = await customer.SendAsync(request, ct);
        var order = await placed.Content.ReadFromJsonAsync<Order>(ct);

        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(cart!.Subtotal, order!.Total);

        // OrderPlaced travels ordering → outbox → Redis stream → cart-api, which empties the cart.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(50, ct);
            using var read = await customer.GetAsync(new Uri($"/api/carts/{cartId}", UriKind.Relative), ct);
            status = read.StatusCode;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.NotFound, status);
        TestContext.Current.SendDiagnosticMessage($"cart emptied {clock.ElapsedMilliseconds} ms after the order");
    }

    [Fact]
    public async Task The_demo_catalog_is_browsable_through_the_gateway()
    {
        using var guest = platform.CreateClient();

        var page = await guest.GetFromJsonAsync<JsonElement>("/api/catalog/products?limit=5&sort=price", TestContext.Current.CancellationToken);
        var categories = await guest.GetFromJsonAsync<JsonElement>("/api/catalog/categories", TestContext.Current.CancellationToken);

        Assert.Equal(5, page.GetProperty("items").GetArrayLength());
        Assert.True(page.GetProperty("nextCursor").GetString() is { Length: > 0 });
        Assert.True(categories.GetArrayLength() >= 5);
    }
}
