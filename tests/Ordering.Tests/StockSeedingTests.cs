using Microsoft.EntityFrameworkCore;

namespace Ordering.Tests;

/// <summary>"What a shopper noticed": every sku a seeded catalog sells has stock, variants included.</summary>
public sealed class StockSeedingTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await OrderingHost.StartAsync(infrastructure);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private Task<List<(string Sku, string Warehouse, int OnHand)>> StockAsync() => _host.QueryAsync(db => db.Stock
        .OrderBy(s => s.Sku).ThenBy(s => s.Warehouse).Select(s => new ValueTuple<string, string, int>(s.Sku, s.Warehouse, s.OnHand)).ToListAsync(Ct));

    [Fact]
    public async Task Every_sku_of_every_active_product_gets_stock_across_catalog_pages_and_a_new_user_can_buy_a_variant()
    {
        // 130 products: two pages of the seeder's 100, each with two variant skus.
        for (var i = 0; i < 130; i++)
        {
            _host.Catalog.SetWithVariants($"SEED-{i:D4}", 10m, $"SEED-{i:D4}-S", $"SEED-{i:D4}-L");
        }

        _host.Catalog.Set("DRAFT-1", 10m, status: "draft");
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());

        using var response = await admin.PostAsync(new Uri("/api/inventory/admin/seed?onHand=25", UriKind.Relative), null, Ct);
        var result = await response.Content.ReadFromJsonAsync<Ordering.Api.Inventory.StockSeedResult>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((390, 390), (result!.Skus, result.Stocked));
        var stock = await StockAsync();
        Assert.Equal(390, stock.Count);
        Assert.All(stock, s => Assert.Equal(("main", 25), (s.Warehouse, s.OnHand)));
        Assert.DoesNotContain(stock, s => s.Sku == "DRAFT-1");
        Assert.Equal(390, await _host.QueryAsync(db => db.Set<Ecommerce.Messaging.OutboxMessage>().CountAsync(Ct)));

        using var customer = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var order = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(OrderingHost.Order(("SEED-0129-L", 2))) };
        order.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var placed = await customer.SendAsync(order, Ct);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
    }

    [Fact]
    public async Task A_sku_that_has_stock_is_left_alone_and_a_rerun_adds_only_new_skus()
    {
        _host.Catalog.Set("KEEP-1", 10m);
        _host.Catalog.Set("SOLD-OUT-1", 10m);
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());
        await OrderingHost.SetStockAsync(admin, "KEEP-1", "berlin", 3);
        await OrderingHost.SetStockAsync(admin, "SOLD-OUT-1", "berlin", 0); // sold out on purpose

        using var first = await admin.PostAsync(new Uri("/api/inventory/admin/seed?onHand=100", UriKind.Relative), null, Ct);
        _host.Catalog.Set("NEW-1", 10m);
        using var second = await admin.PostAsync(new Uri("/api/inventory/admin/seed?onHand=100", UriKind.Relative), null, Ct);

        Assert.Equal(0, (await first.Content.ReadFromJsonAsync<Ordering.Api.Inventory.StockSeedResult>(Ct))!.Stocked);
        Assert.Equal(1, (await second.Content.ReadFromJsonAsync<Ordering.Api.Inventory.StockSeedResult>(Ct))!.Stocked);
        Assert.Equal([("KEEP-1", "berlin", 3), ("NEW-1", "main", 100), ("SOLD-OUT-1", "berlin", 0)], await StockAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?onHand=0")]
    [InlineData("?onHand=-5")]
    [InlineData("?onHand=10000001")]
    [InlineData("?onHand=lots")]
    [InlineData("?onHand=1.5")]
    public async Task A_bad_onHand_is_a_400_naming_it_and_stocks_nothing(string query)
    {
        _host.Catalog.Set("ANY-1", 10m);
        using var admin = _host.Instance().CreateClient(TestTokens.Admin());

        using var response = await admin.PostAsync(new Uri("/api/inventory/admin/seed" + query, UriKind.Relative), null, Ct);

        await Ecommerce.Testing.Hostile.HostileInput.AssertRefusedAsync(response, "onHand");
        Assert.Empty(await StockAsync());
    }

    [Fact]
    public async Task Only_admins_seed_stock()
    {
        _host.Catalog.Set("ANY-1", 10m);
        var service = _host.Instance();
        using var customer = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var anonymous = service.CreateClient();

        using var forbidden = await customer.PostAsync(new Uri("/api/inventory/admin/seed?onHand=5", UriKind.Relative), null, Ct);
        using var unauthorized = await anonymous.PostAsync(new Uri("/api/inventory/admin/seed?onHand=5", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Empty(await StockAsync());
    }
}
