using Ecommerce.Testing.Hostile;
using Microsoft.EntityFrameworkCore;

namespace Ordering.Tests;

/// <summary>
/// Issue 13, defects 3, 4, 6, 7 on orders and inventory: unstorable text refused before any store or catalog/cart call
/// (it used to be a 503 "retry with the same Idempotency-Key" that could never succeed), canonical skus and warehouses,
/// numbers as strings, ISO country codes. Every refusal stores nothing: no order, no key, no stock row.
/// </summary>
public sealed class HostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;
    private HttpClient _customer = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(infrastructure);
        _host.Catalog.Set("MUG", 10m);
        _service = _host.Instance();
        _admin = _service.CreateClient(TestTokens.Admin());
        _customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        await OrderingHost.SetStockAsync(_admin, "MUG", "main", 5);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _customer.Dispose();
        await _host.DisposeAsync();
    }

    private async Task AssertNothingStoredAsync()
    {
        Assert.Equal(0, await _host.QueryAsync(db => db.Events.CountAsync(Ct)));
        Assert.Equal(0, await _host.QueryAsync(db => db.IdempotencyRecords.CountAsync(Ct)));
        var stock = await _host.QueryAsync(db => db.Stock.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(("MUG", "main", 5), (Assert.Single(stock).Sku, stock[0].Warehouse, stock[0].OnHand));
    }

    private static object OrderWith(string field) => new
    {
        cartId = field == "cartId" ? "@@" : null,
        lines = field == "cartId" ? null : new[] { new { sku = field == "lines[0].sku" ? "@@" : "MUG", quantity = 1 } },
        shippingAddress = new
        {
            name = field == "shippingAddress.name" ? "@@" : "Ada", line1 = field == "shippingAddress.line1" ? "@@" : "1 Way",
            city = field == "shippingAddress.city" ? "@@" : "London", postalCode = "N1", country = field == "shippingAddress.country" ? "@@" : "GB",
        },
    };

    public static TheoryData<string, string> OrderCases() => HostileInput.Cases(
        ["lines[0].sku", "cartId", "shippingAddress.name", "shippingAddress.line1", "shippingAddress.city", "shippingAddress.country"], HostileInput.Json);

    [Theory]
    [MemberData(nameof(OrderCases))]
    public async Task Placing_an_order_refuses_unstorable_text_in_any_field_and_stores_nothing(string field, string inputClass)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = HostileInput.JsonBody(OrderWith(field), inputClass) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await _customer.SendAsync(request, Ct);

        await HostileInput.AssertRefusedAsync(response, field);
        await AssertNothingStoredAsync();
    }

    [Theory]
    [MemberData(nameof(HostileInput.JsonClasses), MemberType = typeof(HostileInput))]
    public async Task Shipping_refuses_an_unstorable_tracking_number(string inputClass)
    {
        using var response = await _admin.PostAsync(new Uri($"/api/orders/{Guid.CreateVersion7()}/ship", UriKind.Relative),
            HostileInput.JsonBody(new { trackingNumber = "@@" }, inputClass), Ct);
        await HostileInput.AssertRefusedAsync(response, "trackingNumber");
    }

    [Theory]
    [MemberData(nameof(HostileInput.JsonClasses), MemberType = typeof(HostileInput))]
    public async Task Setting_stock_refuses_an_unstorable_warehouse(string inputClass)
    {
        using var response = await _admin.PutAsync(new Uri("/api/inventory/MUG", UriKind.Relative),
            HostileInput.JsonBody(new { warehouse = "@@", onHand = 9 }, inputClass), Ct);
        await HostileInput.AssertRefusedAsync(response, "warehouse");
        await AssertNothingStoredAsync();
    }

    // Route values are identifiers (invisible characters refused too); query values are text (control characters refused),
    // and an invisible character in ?skus= simply matches no sku.
    public static TheoryData<string, string> InventoryCases()
    {
        var cases = HostileInput.Cases(["get /{sku}", "put /{sku}"], HostileInput.InPath);
        foreach (var route in new[] { "get ?skus", "orders ?cursor" })
        {
            foreach (var inputClass in HostileInput.Unstorable) cases.Add(route, inputClass);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(InventoryCases))]
    public async Task Inventory_and_order_reads_refuse_control_and_invisible_characters_in_the_url(string route, string inputClass)
    {
        var bad = HostileInput.Url(inputClass);
        var (client, method, path, field) = route switch
        {
            "get /{sku}" => (_customer, HttpMethod.Get, $"/api/inventory/{bad}", "sku"),
            "put /{sku}" => (_admin, HttpMethod.Put, $"/api/inventory/{bad}", "sku"),
            "get ?skus" => (_customer, HttpMethod.Get, $"/api/inventory?skus=MUG,{bad}", "skus"),
            _ => (_customer, HttpMethod.Get, $"/api/orders?cursor={bad}", "cursor"),
        };
        using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Put ? JsonContent.Create(new { warehouse = "main", onHand = 1 }) : null };
        using var response = await client.SendAsync(request, Ct);

        await HostileInput.AssertRefusedAsync(response, field);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Skus_and_warehouses_have_one_canonical_form_in_inventory()
    {
        await OrderingHost.SetStockAsync(_admin, "mug", " MAIN ", 7);
        using var invisible = await _admin.PutAsJsonAsync("/api/inventory/MUG", new { warehouse = "ma\u200Bin", onHand = 1 }, Ct);
        using var newline = await _admin.PutAsJsonAsync("/api/inventory/MUG%0A", new { warehouse = "main", onHand = 1 }, Ct);
        using var notASku = await _admin.PutAsJsonAsync("/api/inventory/-MUG", new { warehouse = "main", onHand = 1 }, Ct);

        await HostileInput.AssertRefusedAsync(invisible, "warehouse");
        await HostileInput.AssertRefusedAsync(newline, "sku");
        await HostileInput.AssertRefusedAsync(notASku, "sku");
        var stock = await _host.QueryAsync(db => db.Stock.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(("MUG", "main", 7), (Assert.Single(stock).Sku, stock[0].Warehouse, stock[0].OnHand));
        Assert.Equal(new Inventory("MUG", 7, 0, 7), await _customer.GetFromJsonAsync<Inventory>("/api/inventory/mug", Ct));
    }

    [Theory]
    [InlineData("""{"warehouse":"main","onHand":"10"}""", "onHand")]
    [InlineData("""{"warehouse":"main","onHand":1e1}""", "onHand")]
    [InlineData("""{"warehouse":7,"onHand":10}""", "warehouse")]
    public async Task Stock_numbers_as_strings_are_refused_naming_the_field(string json, string field)
    {
        using var response = await _admin.PutAsync(new Uri("/api/inventory/MUG", UriKind.Relative), HostileInput.JsonBody(json), Ct);
        await HostileInput.AssertRefusedAsync(response, field);
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":"1"}],"shippingAddress":{"name":"A","line1":"1","city":"L","postalCode":"N1","country":"GB"}}""", "lines[0].quantity")]
    [InlineData("""{"lines":{"sku":"MUG"},"shippingAddress":{"name":"A","line1":"1","city":"L","postalCode":"N1","country":"GB"}}""", "lines")]
    public async Task Order_numbers_as_strings_are_refused_naming_the_field(string json, string field)
    {
        await AssertOrderRefusedAsync(json, field);
    }

    /// <summary>Places an order with <paramref name="json"/> as its body: refused naming <paramref name="field"/>, nothing stored.</summary>
    private async Task AssertOrderRefusedAsync(string json, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = HostileInput.JsonBody(json) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await _customer.SendAsync(request, Ct);
        await HostileInput.AssertRefusedAsync(response, field);
        await AssertNothingStoredAsync();
    }

    // HostileInput.NullElement: "lines":[null] was a 500.
    [Theory]
    [InlineData("""{"lines":[null],"shippingAddress":{"name":"A","line1":"1","city":"L","postalCode":"N1","country":"GB"}}""", "lines[0]")]
    [InlineData("""{"lines":[{"sku":"MUG","quantity":1},null],"shippingAddress":{"name":"A","line1":"1","city":"L","postalCode":"N1","country":"GB"}}""", "lines[1]")]
    public async Task A_null_order_line_is_refused_naming_its_path_and_stores_nothing(string json, string field)
    {
        await AssertOrderRefusedAsync(json, field);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("ZZ")]
    [InlineData("UK")]
    [InlineData("gb")]
    public async Task Only_iso_3166_alpha_2_countries_are_shipped_to(string country)
    {
        var body = new
        {
            lines = new[] { new { sku = "MUG", quantity = 1 } },
            shippingAddress = new { name = "Ada", line1 = "1 Way", city = "London", postalCode = "N1", country },
        };
        using var response = await OrderingHost.PlaceAsync(_customer, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingStoredAsync();
    }
}
