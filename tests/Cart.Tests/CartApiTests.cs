using Cart.Api.Pricing;

namespace Cart.Tests;

/// <summary>The cart API through the real app, on each store, priced by a catalog over HTTP.</summary>
public sealed class CartApiTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogStub _catalog = null!;
    private readonly List<IAsyncDisposable> _hosts = [];

    public async ValueTask InitializeAsync()
    {
        _catalog = await CatalogStub.StartAsync();
        _catalog.Set("MUG", 12.50m);
        _catalog.Set("TEE", 20m);
        _catalog.Set("OLD", 5m, status: "archived");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _catalog.DisposeAsync();
    }

    private async Task<ServiceFactory<Program>> ServiceAsync(string store, bool realServer = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cart:Store"] = store,
            ["Cart:CatalogUrl"] = _catalog.Url.ToString(),
            ["Cart:PriceCacheDuration"] = "00:00:00",
        };
        settings["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync();
        if (store == "postgres")
        {
            settings["ConnectionStrings:cartdb"] = await infrastructure.CreateDatabaseAsync("cartapi");
        }

        var factory = new ServiceFactory<Program>(settings, realServer);
        if (realServer)
        {
            factory.StartServer();
        }

        _hosts.Add(factory);
        return factory;
    }

    private static async Task<string> CreateAsync(HttpClient client)
    {
        using var response = await client.PostAsync(new Uri("/api/carts", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"create answered {response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<Cart.Api.Carts.CartCreated>(TestContext.Current.CancellationToken))!.Id;
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task A_guest_cart_is_priced_by_the_catalog_now(string store)
    {
        using var client = (await ServiceAsync(store)).CreateClient();
        var id = await CreateAsync(client);

        using var add1 = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 2, unitPrice = 0.01 }, TestContext.Current.CancellationToken);
        using var add2 = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "TEE", quantity = 1 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, add1.StatusCode);
        _catalog.Set("TEE", 18m); // the price drops after the tee was added

        var cart = await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken);

        Assert.Equal(2 * 12.50m + 18m, cart!.Subtotal);
        Assert.Equal("EUR", cart.Currency);
        var tee = cart.Lines.Single(l => l.Sku == "TEE");
        Assert.True(tee.PriceChanged);
        Assert.Equal(18m, tee.UnitPrice);
        Assert.False(cart.Lines.Single(l => l.Sku == "MUG").PriceChanged);
        Assert.Null(tee.Available); // no stock event heard for it: unknown, not "out of stock"
        Assert.Null(tee.AvailableQuantity);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task A_cart_holds_one_currency_and_a_sku_in_another_is_a_409_that_stores_nothing(string store)
    {
        // Hardening round 3, class 9: lines in EUR and USD were summed into one "EUR" subtotal.
        _catalog.Set("CAP-US", 9m, currency: "USD");
        var service = await ServiceAsync(store);
        using var client = service.CreateClient();
        var id = await CreateAsync(client);
        (await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 2 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        using var refused = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "CAP-US", quantity = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("https://polyglot-commerce.dev/problems/conflict", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(("EUR", "USD"), (problem.RootElement.GetProperty("cartCurrency").GetString(), problem.RootElement.GetProperty("currency").GetString()));
        var cart = await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(("MUG", 2), (Assert.Single(cart!.Lines).Sku, cart.Lines[0].Quantity));
        Assert.Equal((25m, "EUR"), (cart.Subtotal, cart.Currency));

        // A cart that starts in USD takes USD only; once empty, it takes any currency again.
        var us = await CreateAsync(client);
        (await client.PostAsJsonAsync($"/api/carts/{us}/items", new { sku = "CAP-US", quantity = 1 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        using var euro = await client.PostAsJsonAsync($"/api/carts/{us}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, euro.StatusCode);
        (await client.DeleteAsync(new Uri($"/api/carts/{us}/items/CAP-US", UriKind.Relative), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/api/carts/{us}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        // Claiming a guest cart in USD into a user's cart in EUR moves nothing.
        using var user = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var userCart = await CreateAsync(user);
        (await user.PostAsJsonAsync($"/api/carts/{userCart}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var guestCart = await CreateAsync(client);
        (await client.PostAsJsonAsync($"/api/carts/{guestCart}/items", new { sku = "CAP-US", quantity = 1 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        using var claim = await user.PostAsync(new Uri($"/api/carts/{guestCart}/claim", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, claim.StatusCode);
        Assert.Equal("MUG", Assert.Single((await user.GetFromJsonAsync<CartResponse>($"/api/carts/{userCart}", TestContext.Current.CancellationToken))!.Lines).Sku);
        Assert.Equal("CAP-US", Assert.Single((await client.GetFromJsonAsync<CartResponse>($"/api/carts/{guestCart}", TestContext.Current.CancellationToken))!.Lines).Sku);
    }

    [Fact]
    public async Task A_product_with_variants_goes_into_the_cart_as_one_of_them_only()
    {
        _catalog.SetWithVariants("SHOE", 80m, "SHOE-41", "SHOE-42");
        using var client = (await ServiceAsync("redis")).CreateClient();
        var id = await CreateAsync(client);

        using var bare = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "SHOE", quantity = 1 }, TestContext.Current.CancellationToken);
        var problem = await bare.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var sized = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "shoe-42", quantity = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("variant-required", problem, StringComparison.Ordinal);
        Assert.Contains("SHOE-41", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, sized.StatusCode);
        var cart = await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("SHOE-42", cart!.Lines.Single().Sku);
    }

    [Fact]
    public async Task A_product_that_disappears_shows_as_unavailable_and_costs_nothing()
    {
        using var client = (await ServiceAsync("redis")).CreateClient();
        var id = await CreateAsync(client);
        await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken);
        _catalog.Set("GONE", 3m);
        await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "GONE", quantity = 1 }, TestContext.Current.CancellationToken);
        _catalog.Remove("GONE");

        var cart = await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken);

        var gone = cart!.Lines.Single(l => l.Sku == "GONE");
        Assert.False(gone.Available);
        Assert.Null(gone.UnitPrice);
        Assert.Equal(12.50m, cart.Subtotal);
    }

    [Theory]
    [InlineData("""{"sku":"MUG","quantity":0}""")]
    [InlineData("""{"sku":"MUG","quantity":100}""")]
    [InlineData("""{"sku":"MUG","quantity":-3}""")]
    [InlineData("""{"sku":"MUG","quantity":99999999999}""")]
    [InlineData("""{"sku":"","quantity":1}""")]
    [InlineData("""{"quantity":1}""")]
    [InlineData("""{"sku":"NOPE","quantity":1}""")]
    [InlineData("""{"sku":"OLD","quantity":1}""")]
    [InlineData("""{"sku":"MUG","quantity":"two"}""")]
    [InlineData("""not json""")]
    public async Task Bad_items_are_400_problems_and_change_nothing(string body)
    {
        using var client = (await ServiceAsync("redis")).CreateClient();
        var id = await CreateAsync(client);

        using var response = await client.PostAsync(new Uri($"/api/carts/{id}/items", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken))!.Lines);
    }

    [Fact]
    public async Task A_users_cart_is_404_to_everyone_else_and_a_malformed_id_is_404()
    {
        var service = await ServiceAsync("redis");
        using var alice = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var bob = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var guest = service.CreateClient();
        var id = await CreateAsync(alice);
        await alice.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken);

        foreach (var intruder in new[] { bob, guest })
        {
            using var read = await intruder.GetAsync(new Uri($"/api/carts/{id}", UriKind.Relative), TestContext.Current.CancellationToken);
            using var write = await intruder.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "TEE", quantity = 1 }, TestContext.Current.CancellationToken);
            using var delete = await intruder.DeleteAsync(new Uri($"/api/carts/{id}", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { read.StatusCode, write.StatusCode, delete.StatusCode });
        }

        using var malformed = await guest.GetAsync(new Uri("/api/carts/not-a-cart", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        var mine = await alice.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("MUG", Assert.Single(mine!.Lines).Sku);
        Assert.Equal(id, await CreateAsync(alice)); // one cart per user
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task Claiming_merges_a_guest_cart_into_the_users_cart(string store)
    {
        var service = await ServiceAsync(store);
        using var guest = service.CreateClient();
        using var user = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var guestCart = await CreateAsync(guest);
        var userCart = await CreateAsync(user);
        await guest.PostAsJsonAsync($"/api/carts/{guestCart}/items", new { sku = "MUG", quantity = 3 }, TestContext.Current.CancellationToken);
        await user.PostAsJsonAsync($"/api/carts/{userCart}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken);

        using var anonymousClaim = await guest.PostAsync(new Uri($"/api/carts/{guestCart}/claim", UriKind.Relative), null, TestContext.Current.CancellationToken);
        using var claim = await user.PostAsync(new Uri($"/api/carts/{guestCart}/claim", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var merged = await claim.Content.ReadFromJsonAsync<CartResponse>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousClaim.StatusCode);
        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        Assert.Equal(userCart, merged!.Id);
        Assert.Equal(4, Assert.Single(merged.Lines).Quantity);
        using var old = await guest.GetAsync(new Uri($"/api/carts/{guestCart}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task Concurrent_requests_on_one_cart_lose_nothing(string store)
    {
        var service = await ServiceAsync(store, realServer: true);
        using var client = service.CreateClient();
        var id = await CreateAsync(client);

        var adds = await Task.WhenAll(Enumerable.Range(0, 30).Select(async _ =>
        {
            using var r = await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 1 });
            return r.StatusCode;
        }));

        Assert.All(adds, s => Assert.Equal(HttpStatusCode.OK, s));
        var cart = await client.GetFromJsonAsync<CartResponse>($"/api/carts/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(30, Assert.Single(cart!.Lines).Quantity);
    }

    [Fact]
    public async Task Set_quantity_and_remove_lines()
    {
        using var client = (await ServiceAsync("redis")).CreateClient();
        var id = await CreateAsync(client);
        await client.PostAsJsonAsync($"/api/carts/{id}/items", new { sku = "MUG", quantity = 1 }, TestContext.Current.CancellationToken);

        using var set = await client.PutAsJsonAsync($"/api/carts/{id}/items/MUG", new { quantity = 5 }, TestContext.Current.CancellationToken);
        using var badSet = await client.PutAsJsonAsync($"/api/carts/{id}/items/MUG", new { quantity = 0 }, TestContext.Current.CancellationToken);
        using var missing = await client.PutAsJsonAsync($"/api/carts/{id}/items/TEE", new { quantity = 1 }, TestContext.Current.CancellationToken);
        Assert.Equal(5, (await set.Content.ReadFromJsonAsync<CartResponse>(TestContext.Current.CancellationToken))!.Lines.Single().Quantity);
        Assert.Equal(HttpStatusCode.BadRequest, badSet.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var remove = await client.DeleteAsync(new Uri($"/api/carts/{id}/items/MUG", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Empty((await remove.Content.ReadFromJsonAsync<CartResponse>(TestContext.Current.CancellationToken))!.Lines);
        using var deleted = await client.DeleteAsync(new Uri($"/api/carts/{id}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}
