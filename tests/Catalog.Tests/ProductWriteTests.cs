using Microsoft.EntityFrameworkCore;

namespace Catalog.Tests;

public sealed class ProductWriteTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogHost _host = null!;
    private HttpClient _admin = null!;
    private ServiceFactory<Program> _service = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await CatalogHost.CreateAsync(infrastructure);
        _service = _host.Instance();
        _admin = _service.CreateClient(TestTokens.Admin());
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task An_admin_creates_a_product_with_free_form_attributes_and_variants()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("SHOE-1", 89.90m, "shoes",
            attributes: new { color = "red", sizes = new[] { "42", "43" }, weightKg = 0.8, waterproof = true },
            variants: [new { sku = "SHOE-1-42", attributes = new { size = 42 } }, new { sku = "SHOE-1-43", attributes = new { size = 43 }, price = 94.90m }]));

        using var anonymous = _service.CreateClient();
        using var response = await anonymous.GetAsync(new Uri($"/api/catalog/products/{created.Id}", UriKind.Relative), TestContext.Current.CancellationToken);
        var read = await response.Content.ReadFromJsonAsync<ProductResponse>(TestContext.Current.CancellationToken);

        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Equal(1, read!.Version);
        Assert.Equal("red", read.Attributes["color"].GetString());
        Assert.True(read.Attributes["waterproof"].GetBoolean());
        Assert.Equal(94.90m, read.Variants.Single(v => v.Sku == "SHOE-1-43").Price);
        Assert.Equal(7, Guid.Parse(read.Id.ToString()).Version);
    }

    [Fact]
    public async Task Only_admins_write()
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var anonymous = _service.CreateClient();

        using var forbidden = await customer.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("X-1"), TestContext.Current.CancellationToken);
        using var unauthorized = await anonymous.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("X-1"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(0, await _host.QueryAsync(db => db.Products.CountAsync()));
    }

    public static TheoryData<string> BadProducts => new()
    {
        """{"sku":"A-1","name":"","brand":"b","category":"c","price":10,"currency":"EUR"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":-1,"currency":"EUR"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":0,"currency":"EUR"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":99999999,"currency":"EUR"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":1.999,"currency":"EUR"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"euro"}""",
        """{"sku":"bad sku!","name":"n","brand":"b","category":"c","price":10,"currency":"EUR"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","status":"gone"}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","attributes":{"nested":{"a":1}}}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","attributes":{"Bad Name":1}}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","attributes":{"a":[1,2]}}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","variants":[{"sku":"A-1"}]}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","images":["not a url"]}""",
        """{"sku":"A-1","name":"n","brand":"b","category":"c","price":"ten","currency":"EUR"}""",
        """not json""",
        "{\"sku\":\"A-1\",\"name\":\"n\",\"brand\":\"b\",\"category\":\"c\",\"price\":10,\"currency\":\"EUR\",\"attributes\":{\"a\":\"" + new string('x', 201) + "\"}}",
    };

    [Theory]
    [MemberData(nameof(BadProducts))]
    public async Task Bad_products_are_400_problems_and_nothing_is_stored(string body)
    {
        using var response = await _admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await _host.QueryAsync(db => db.Products.CountAsync()));
        Assert.Equal(0, await _host.QueryAsync(db => db.Set<Ecommerce.Messaging.OutboxMessage>().CountAsync()));
    }

    [Fact]
    public async Task A_sku_belongs_to_one_product()
    {
        await CatalogHost.CreateAsync(_admin, CatalogHost.Product("DUP-1", variants: [new { sku = "DUP-1-V" }]));

        using var again = await _admin.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("DUP-1"), TestContext.Current.CancellationToken);
        using var asVariant = await _admin.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("OTHER", variants: [new { sku = "DUP-1-V" }]), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, asVariant.StatusCode);
        Assert.Equal(1, await _host.QueryAsync(db => db.Products.CountAsync()));
    }

    [Fact]
    public async Task Updates_need_a_current_If_Match_and_bump_the_version()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("UPD-1", 10m));
        var path = $"/api/catalog/products/{created.Id}";

        using var noPrecondition = await _admin.PutAsJsonAsync(path, CatalogHost.Product("UPD-1", 11m), TestContext.Current.CancellationToken);
        Assert.Equal((HttpStatusCode)428, noPrecondition.StatusCode);

        using var update = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(CatalogHost.Product("UPD-1", 12m)) };
        update.Headers.IfMatch.ParseAdd("\"v1\"");
        using var updated = await _admin.SendAsync(update, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("\"v2\"", updated.Headers.ETag?.ToString());

        using var stale = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(CatalogHost.Product("UPD-1", 99m)) };
        stale.Headers.IfMatch.ParseAdd("\"v1\"");
        using var rejected = await _admin.SendAsync(stale, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.PreconditionFailed, rejected.StatusCode);

        var current = await _admin.GetFromJsonAsync<ProductResponse>(path, TestContext.Current.CancellationToken);
        Assert.Equal((12m, 2L), (current!.Price, current.Version));
    }

    [Fact]
    public async Task Conditional_gets_answer_304_and_drafts_are_hidden_from_the_public()
    {
        var active = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("ACT-1"));
        var draft = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("DRF-1", status: "draft"));
        using var anonymous = _service.CreateClient();

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/catalog/products/{active.Id}");
        conditional.Headers.IfNoneMatch.ParseAdd("\"v1\"");
        using var notModified = await anonymous.SendAsync(conditional, TestContext.Current.CancellationToken);
        using var hidden = await anonymous.GetAsync(new Uri($"/api/catalog/products/{draft.Id}", UriKind.Relative), TestContext.Current.CancellationToken);
        using var visible = await _admin.GetAsync(new Uri($"/api/catalog/products/{draft.Id}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, visible.StatusCode);
    }

    [Fact]
    public async Task Deleting_removes_the_product_and_a_stale_If_Match_is_refused()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("DEL-1"));
        var path = $"/api/catalog/products/{created.Id}";

        using var stale = new HttpRequestMessage(HttpMethod.Delete, path);
        stale.Headers.IfMatch.ParseAdd("\"v7\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _admin.SendAsync(stale, TestContext.Current.CancellationToken)).StatusCode);

        using var deleted = await _admin.DeleteAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        using var gone = await _admin.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
