using Ecommerce.Testing.Hostile;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Orders;

namespace Ordering.Tests;

public sealed class CheckoutTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(infrastructure);
        _service = _host.Instance();
        _admin = _service.CreateClient(TestTokens.Admin());
        _host.Catalog.Set("MUG", 12.50m);
        _host.Catalog.Set("TEE", 20.00m);
        _host.Catalog.Set("OLD", 5m, status: "archived");
        await OrderingHost.SetStockAsync(_admin, "MUG", "berlin", 10);
        await OrderingHost.SetStockAsync(_admin, "TEE", "berlin", 2);
        await OrderingHost.SetStockAsync(_admin, "TEE", "madrid", 1);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    private Task<Inventory?> StockOf(string sku) =>
        _admin.GetFromJsonAsync<Inventory>($"/api/inventory/{sku}", TestContext.Current.CancellationToken);

    [Fact]
    public async Task An_order_is_priced_by_the_catalog_not_the_client_and_reserves_stock()
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var body = new
        {
            lines = new object[] { new { sku = "MUG", quantity = 2, unitPrice = 0.01m }, new { sku = "TEE", quantity = 3, price = 0 } },
            total = 0.02m,
            shippingAddress = OrderingHost.Address,
        };

        using var response = await OrderingHost.PlaceAsync(customer, body);
        var order = await response.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/orders/{order!.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Placed", order.Status);
        Assert.Equal(2 * 12.50m + 3 * 20.00m, order.Total);
        Assert.Equal("EUR", order.Currency);
        Assert.Equal(new Inventory("MUG", 10, 2, 8), await StockOf("MUG"));
        // 3 tees need both warehouses (2 + 1): a split reservation, all of it held.
        Assert.Equal(new Inventory("TEE", 3, 3, 0), await StockOf("TEE"));
    }

    [Fact]
    public async Task A_product_with_variants_is_ordered_as_one_of_them_and_a_replay_shows_the_order_as_it_is_now()
    {
        _host.Catalog.SetWithVariants("SHOE", 80m, "SHOE-41", "SHOE-42");
        await OrderingHost.SetStockAsync(_admin, "SHOE-42", "berlin", 3);
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var bare = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("SHOE", 1)));
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("SHOE-41", await bare.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var key = Guid.NewGuid().ToString();
        using var placed = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("SHOE-42", 1)), key);
        var order = (await placed.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken))!;
        Assert.Equal((HttpStatusCode.Created, 80m), (placed.StatusCode, order.Total));
        (await customer.PostAsJsonAsync($"/api/orders/{order.Id}/cancel", new { }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        using var replay = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("SHOE-42", 1)), key);
        var replayed = (await replay.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken))!;
        Assert.Equal((HttpStatusCode.Created, order.Id, "Cancelled"), (replay.StatusCode, replayed.Id, replayed.Status));
    }

    [Fact]
    public async Task Short_stock_is_a_409_listing_the_short_lines_and_nothing_is_reserved()
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var response = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("MUG", 1), ("TEE", 4)));
        var problem = await response.Content.ReadFromJsonAsync<Problem>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.EndsWith("/out-of-stock", problem!.Type, StringComparison.Ordinal);
        Assert.Equal([new ShortLine("TEE", 4, 3)], problem.ShortLines);
        Assert.Equal(0, (await StockOf("MUG"))!.Reserved);
        Assert.Equal(0, (await StockOf("TEE"))!.Reserved);
        Assert.Equal(0, await _host.QueryAsync(db => db.Events.CountAsync()));
    }

    [Theory]
    [InlineData("""{"lines":[],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":0}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":100}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":-5}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":1}]}""")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":1}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"Britain"}}""")]
    [InlineData("""{"lines":[{"sku":"NOPE","quantity":1}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""")]
    [InlineData("""{"lines":[{"sku":"OLD","quantity":1}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":"two"}]}""")]
    [InlineData("""[1,2,3]""")]
    public async Task Bad_orders_are_400_problems_and_change_nothing(string body)
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await customer.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using (var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)))
        {
            // Every refusal names the field it refused, whichever step refused it (parsing, pricing or the order).
            Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(), problem.RootElement.ToString());
        }

        Assert.Equal(0, (await StockOf("MUG"))!.Reserved);
        Assert.Equal(0, await _host.QueryAsync(db => db.IdempotencyRecords.CountAsync()));
    }

    [Fact]
    public async Task An_order_holds_as_many_lines_as_a_cart_and_no_more()
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var lines = string.Join(',', Enumerable.Range(0, 101).Select(i => $$"""{"sku":"S{{i}}","quantity":1}"""));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent($$$"""{"lines":[{{{lines}}}],"shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"GB"}}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await customer.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Contains("1 to 100 lines", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await HostileInput.AssertRefusedAsync(response, "lines");
        Assert.Equal(0, await _host.QueryAsync(db => db.IdempotencyRecords.CountAsync()));
    }

    [Fact]
    public async Task Checkout_requires_a_signed_in_customer_and_an_idempotency_key()
    {
        using var anonymous = _service.CreateClient();
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var noToken = await OrderingHost.PlaceAsync(anonymous, OrderingHost.Order(("MUG", 1)));
        using var noKey = await customer.PostAsJsonAsync("/api/orders", OrderingHost.Order(("MUG", 1)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        await HostileInput.AssertRefusedAsync(noKey, "Idempotency-Key");
    }

    [Fact]
    public async Task Same_key_and_body_replays_the_same_order_and_another_body_is_422()
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var key = Guid.NewGuid().ToString();

        using var first = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("MUG", 1), ("TEE", 1)), key);
        // Same lines in another order and split differently: the same request.
        using var replay = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("TEE", 1), ("MUG", 1)), key);
        using var other = await OrderingHost.PlaceAsync(customer, OrderingHost.Order(("MUG", 2)), key);

        var a = await first.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken);
        var b = await replay.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(a!.Id, b!.Id);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(1, (await StockOf("MUG"))!.Reserved);
    }

    [Fact]
    public async Task Bodies_that_differ_only_in_where_a_tab_falls_are_different_requests()
    {
        // Hardening round 3, defect 11: the hash joined fields with tab, so "Ada<TAB>Lovelace" + "1 Way" and "Ada" +
        // "Lovelace<TAB>1 Way" hashed alike and the second order silently got the first one's answer.
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var key = Guid.NewGuid().ToString();
        object Body(string name, string line1) => new
        {
            lines = new[] { new { sku = "MUG", quantity = 1 } },
            shippingAddress = new { name, line1, city = "London", postalCode = "N1 9GU", country = "GB" },
        };

        using var first = await OrderingHost.PlaceAsync(customer, Body("Ada\tLovelace", "1 Analytical Way"), key);
        using var second = await OrderingHost.PlaceAsync(customer, Body("Ada", "Lovelace\t1 Analytical Way"), key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal(1, (await StockOf("MUG"))!.Reserved);
    }

    [Fact]
    public async Task A_key_belongs_to_one_customer()
    {
        var key = Guid.NewGuid().ToString();
        using var alice = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var bob = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var a = await OrderingHost.PlaceAsync(alice, OrderingHost.Order(("MUG", 1)), key);
        using var b = await OrderingHost.PlaceAsync(bob, OrderingHost.Order(("MUG", 1)), key);

        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.NotEqual((await a.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken))!.Id,
            (await b.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken))!.Id);
    }

    [Fact]
    public async Task Concurrent_duplicates_create_exactly_one_order()
    {
        var real = _host.Instance(realServer: true);
        using var customer = real.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => OrderingHost.PlaceAsync(customer, OrderingHost.Order(("MUG", 1)), key)));
        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<OrderResponse>(TestContext.Current.CancellationToken))!.Id);
            response.Dispose();
        }

        Assert.Single(ids);
        Assert.Equal(1, await _host.QueryAsync(db => db.Events.CountAsync()));
        Assert.Equal(1, (await StockOf("MUG"))!.Reserved);
    }
}
