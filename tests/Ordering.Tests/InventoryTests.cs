namespace Ordering.Tests;

public sealed class InventoryTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await OrderingHost.StartAsync(infrastructure);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Admin_sets_stock_per_warehouse_and_anyone_reads_the_totals()
    {
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());
        await OrderingHost.SetStockAsync(admin, "SKU-A", "berlin", 7);
        await OrderingHost.SetStockAsync(admin, "SKU-A", "madrid", 3);
        await OrderingHost.SetStockAsync(admin, "SKU-A", "berlin", 5); // sets, does not add

        using var anonymous = service.CreateClient();
        var one = await anonymous.GetFromJsonAsync<Inventory>("/api/inventory/SKU-A", TestContext.Current.CancellationToken);
        var many = await anonymous.GetFromJsonAsync<List<Inventory>>("/api/inventory?skus=SKU-A,NOPE", TestContext.Current.CancellationToken);

        Assert.Equal(new Inventory("SKU-A", 8, 0, 8), one);
        Assert.Equal([new Inventory("SKU-A", 8, 0, 8)], many);
    }

    [Fact]
    public async Task Only_admins_set_stock()
    {
        var service = _host.Instance();
        using var customer = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var anonymous = service.CreateClient();

        using var forbidden = await customer.PutAsJsonAsync("/api/inventory/SKU-B", new { warehouse = "w", onHand = 5 }, TestContext.Current.CancellationToken);
        using var unauthorized = await anonymous.PutAsJsonAsync("/api/inventory/SKU-B", new { warehouse = "w", onHand = 5 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(0, await _host.QueryAsync(db => Task.FromResult(db.Stock.Count())));
    }

    [Theory]
    [InlineData("""{"warehouse":"w","onHand":-1}""")]
    [InlineData("""{"warehouse":"w","onHand":99999999999}""")]
    [InlineData("""{"warehouse":"","onHand":1}""")]
    [InlineData("""{"onHand":1}""")]
    [InlineData("""{"warehouse":"w"}""")]
    [InlineData("""{"warehouse":"w","onHand":"lots"}""")]
    [InlineData("""not json""")]
    public async Task Bad_stock_input_is_a_400_problem_and_changes_nothing(string body)
    {
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());

        using var response = await admin.PutAsync(new Uri("/api/inventory/SKU-C", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await _host.QueryAsync(db => Task.FromResult(db.Stock.Count(s => s.Sku == "SKU-C"))));
    }

    [Fact]
    public async Task Unknown_sku_is_404_and_too_many_skus_is_400()
    {
        using var client = _host.Instance().CreateClient();

        using var unknown = await client.GetAsync(new Uri("/api/inventory/NOPE", UriKind.Relative), TestContext.Current.CancellationToken);
        var skus = string.Join(',', Enumerable.Range(0, 101).Select(i => $"S{i}"));
        using var tooMany = await client.GetAsync(new Uri($"/api/inventory?skus={skus}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }
}
