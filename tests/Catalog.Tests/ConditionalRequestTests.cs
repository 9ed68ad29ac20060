using Microsoft.EntityFrameworkCore;

namespace Catalog.Tests;

/// <summary>
/// Issue 13, defect 8: conditional requests on products per RFC 9110 §13 (If-Match strong, If-None-Match weak, "*",
/// lists), the ETag on a create, and HEAD answered like GET without a body.
/// </summary>
public sealed class ConditionalRequestTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogHost _host = null!;
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;
    private HttpClient _guest = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await CatalogHost.CreateAsync(infrastructure);
        _service = _host.Instance();
        _admin = _service.CreateClient(TestTokens.Admin());
        _guest = _service.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _guest.Dispose();
        await _host.DisposeAsync();
    }

    private Task<HttpResponseMessage> PutAsync(Guid id, string? ifMatch, decimal price, string sku = "CND-1")
    {
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/catalog/products/{id}") { Content = JsonContent.Create(CatalogHost.Product(sku, price)) };
        if (ifMatch is not null) put.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return _admin.SendAsync(put, Ct);
    }

    private Task<(decimal Price, long Version)> StoredAsync(Guid id) =>
        _host.QueryAsync(db => db.Products.Where(p => p.Id == id).Select(p => new ValueTuple<decimal, long>(p.Price, p.Version)).SingleAsync(Ct));

    [Fact]
    public async Task A_create_answers_201_with_Location_and_the_ETag_of_what_was_stored()
    {
        using var response = await _admin.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("CND-1"), Ct);
        var created = await response.Content.ReadFromJsonAsync<ProductResponse>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/catalog/products/{created!.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task If_Match_star_replaces_any_existing_product_and_is_not_a_428()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1", 10m));

        using var response = await PutAsync(created.Id, "*", 20m);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"v2\"", response.Headers.ETag?.ToString());
        Assert.Equal((20m, 2L), await StoredAsync(created.Id));
    }

    [Fact]
    public async Task If_Match_star_on_a_product_that_does_not_exist_is_404_and_creates_nothing()
    {
        using var response = await PutAsync(Guid.CreateVersion7(), "*", 20m);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await _host.QueryAsync(db => db.Products.CountAsync(Ct)));
    }

    [Theory]
    [InlineData("\"v7\", \"v1\"")]
    [InlineData("\"v1\", \"v7\"")]
    [InlineData("W/\"v1\", \"v1\"")]
    public async Task If_Match_with_a_list_matches_when_any_tag_is_current(string ifMatch)
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1", 10m));

        using var response = await PutAsync(created.Id, ifMatch, 30m);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((30m, 2L), await StoredAsync(created.Id));
    }

    [Theory]
    [InlineData("W/\"v1\"")]             // the current version, but weak: If-Match compares strongly
    [InlineData("\"v7\", \"v8\"")]       // none current
    [InlineData("W/\"v1\", \"v2\"")]
    public async Task If_Match_that_does_not_strongly_match_is_412_and_changes_nothing(string ifMatch)
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1", 10m));

        using var put = await PutAsync(created.Id, ifMatch, 30m);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/catalog/products/{created.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var deleted = await _admin.SendAsync(delete, Ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, put.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, deleted.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.Equal((10m, 1L), await StoredAsync(created.Id));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("\"v1\" \"v2\"")]
    [InlineData("*, \"v1\"")]
    public async Task A_malformed_If_Match_is_a_400_naming_the_header_on_replace_and_delete(string ifMatch)
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1", 10m));

        using var put = await PutAsync(created.Id, ifMatch, 30m);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/catalog/products/{created.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var deleted = await _admin.SendAsync(delete, Ct);

        await Ecommerce.Testing.Hostile.HostileInput.AssertRefusedAsync(put, "If-Match");
        await Ecommerce.Testing.Hostile.HostileInput.AssertRefusedAsync(deleted, "If-Match");
        Assert.Equal((10m, 1L), await StoredAsync(created.Id));
    }

    [Fact]
    public async Task If_Match_star_deletes()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/catalog/products/{created.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", "*");

        using var response = await _admin.SendAsync(delete, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, await _host.QueryAsync(db => db.Products.CountAsync(Ct)));
    }

    [Theory]
    [InlineData("\"v1\"")]
    [InlineData("W/\"v1\"")]             // weak comparison: a weak copy of v1 is current
    [InlineData("\"v9\", W/\"v1\"")]
    [InlineData("*")]
    public async Task If_None_Match_that_matches_is_304_with_the_ETag_and_no_body(string ifNoneMatch)
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/catalog/products/{created.Id}");
        get.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);

        using var response = await _guest.SendAsync(get, Ct);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory]
    [InlineData("\"v2\"")]
    [InlineData("\"V1\"")]
    public async Task If_None_Match_that_does_not_match_is_the_full_200(string ifNoneMatch)
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/catalog/products/{created.Id}");
        get.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);

        using var response = await _guest.SendAsync(get, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created.Id, (await response.Content.ReadFromJsonAsync<ProductResponse>(Ct))!.Id);
    }

    [Fact]
    public async Task If_None_Match_star_on_a_missing_product_is_still_404()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/catalog/products/{Guid.CreateVersion7()}");
        get.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var response = await _guest.SendAsync(get, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_malformed_If_None_Match_is_a_400_naming_the_header()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/catalog/products/{created.Id}");
        get.Headers.TryAddWithoutValidation("If-None-Match", "v1");
        using var response = await _guest.SendAsync(get, Ct);
        await Ecommerce.Testing.Hostile.HostileInput.AssertRefusedAsync(response, "If-None-Match");
    }

    [Theory]
    [InlineData("/api/catalog/products")]
    [InlineData("/api/catalog/categories")]
    [InlineData("/api/catalog/brands")]
    [InlineData("/health")]
    public async Task HEAD_on_a_GET_route_answers_like_GET_without_a_body(string path)
    {
        await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));

        using var get = await _guest.GetAsync(new Uri(path, UriKind.Relative), Ct);
        using var head = await _guest.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync(Ct));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task HEAD_on_a_product_carries_its_ETag_honours_If_None_Match_and_404s_like_GET()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));
        var path = $"/api/catalog/products/{created.Id}";

        using var head = await _guest.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Head, path);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", "\"v1\"");
        using var notModified = await _guest.SendAsync(conditional, Ct);
        using var missing = await _guest.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/catalog/products/{Guid.CreateVersion7()}"), Ct);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("\"v1\"", head.Headers.ETag?.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task HEAD_on_a_write_only_route_is_still_405()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("CND-1"));
        using var response = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/catalog/admin/seed"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal((10m, 1L), await StoredAsync(created.Id));
    }
}
