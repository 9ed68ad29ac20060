using Ecommerce.Testing.Hostile;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Tests;

/// <summary>
/// Issue 13, defects 2, 3, 4, 6, 10: text a store cannot hold, look-alike skus, numbers as strings, drafts through the
/// batch read and ignored credentials, on every catalog endpoint that takes input. Each refusal is a 400 problem naming
/// the field, and nothing is stored.
/// </summary>
public sealed class HostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
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

    private Task<int> StoredProductsAsync() => _host.QueryAsync(db => db.Products.CountAsync(Ct));

    public static readonly string[] QueryFields = ["category", "brand", "attr.color", "sort", "cursor", "minPrice"];

    public static TheoryData<string, string> QueryCases() => HostileInput.Cases(QueryFields, HostileInput.Unstorable);

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task Browse_refuses_unstorable_text_in_any_query_parameter_with_a_400_naming_it(string field, string inputClass)
    {
        using var response = await _guest.GetAsync(new Uri($"/api/catalog/products?{field}={HostileInput.Url(inputClass)}", UriKind.Relative), Ct);
        await HostileInput.AssertRefusedAsync(response, field);
    }

    [Theory]
    [MemberData(nameof(HostileInput.UnstorableClasses), MemberType = typeof(HostileInput))]
    public async Task Batch_refuses_unstorable_skus_and_ids(string inputClass)
    {
        using var skus = await _guest.GetAsync(new Uri($"/api/catalog/products/batch?skus=A,{HostileInput.Url(inputClass)}", UriKind.Relative), Ct);
        using var ids = await _guest.GetAsync(new Uri($"/api/catalog/products/batch?ids={HostileInput.Url(inputClass)}", UriKind.Relative), Ct);
        await HostileInput.AssertRefusedAsync(skus, "skus");
        await HostileInput.AssertRefusedAsync(ids, "ids");
    }

    public static readonly string[] JsonFields =
        ["sku", "name", "description", "brand", "category", "currency", "status", "attributes.color", "variants[0].sku", "images[0]"];

    public static TheoryData<string, string> JsonCases() => HostileInput.Cases(JsonFields, HostileInput.Json);

    private static object ProductWith(string field, string sku = "HOSTILE-1")
    {
        string V(string name, string fallback) => name == field ? "@@" : fallback;
        return new
        {
            sku = V("sku", sku), name = V("name", "Mug"), description = V("description", "A mug."), brand = V("brand", "Acme"),
            category = V("category", "mugs"), price = 10m, currency = V("currency", "EUR"), status = V("status", "active"),
            attributes = new { color = V("attributes.color", "red") },
            variants = new[] { new { sku = V("variants[0].sku", sku + "-L") } },
            images = new[] { V("images[0]", "https://img.example/1.png") },
        };
    }

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Create_and_replace_refuse_unstorable_text_in_any_json_field_and_store_nothing(string field, string inputClass)
    {
        await AssertCreateAndReplaceRefusedAsync(HostileInput.JsonBody(ProductWith(field), inputClass), HostileInput.JsonBody(ProductWith(field, "KEEP-1"), inputClass), field);
    }

    [Theory]
    [MemberData(nameof(HostileInput.IdentifierClasses), MemberType = typeof(HostileInput))]
    public async Task A_sku_with_a_control_or_invisible_character_is_refused(string inputClass)
    {
        using var response = await _admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative),
            HostileInput.JsonBody(CatalogHost.Product("@@"), inputClass), Ct);
        await HostileInput.AssertRefusedAsync(response, "sku");
        Assert.Equal(0, await StoredProductsAsync());
    }

    [Fact]
    public async Task Skus_have_one_canonical_form_and_look_alikes_are_the_same_sku()
    {
        var created = await CatalogHost.CreateAsync(_admin, CatalogHost.Product(" cof-0000057 "));
        Assert.Equal("COF-0000057", created.Sku);

        using var lowerCase = await _admin.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("Cof-0000057", price: 0.01m), Ct);
        using var newline = await _admin.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("COF-0000057\n", price: 0.01m), Ct);
        using var dotless = await _admin.PostAsJsonAsync("/api/catalog/products", CatalogHost.Product("cof-0000057\u0131", price: 0.01m), Ct);

        Assert.Equal(HttpStatusCode.Conflict, lowerCase.StatusCode);
        await HostileInput.AssertRefusedAsync(newline, "sku");
        await HostileInput.AssertRefusedAsync(dotless, "sku");
        Assert.Equal(1, await StoredProductsAsync());
        var found = await _guest.GetFromJsonAsync<List<ProductResponse>>("/api/catalog/products/batch?skus=cof-0000057", Ct);
        Assert.Equal(created.Id, Assert.Single(found!).Id);
    }

    [Fact]
    public async Task A_trailing_newline_no_longer_passes_the_attribute_name_or_currency_rule()
    {
        using var currency = await _admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative), HostileInput.JsonBody(
            """{"sku":"NL-1","name":"n","brand":"b","category":"c","price":1,"currency":"EUR\n"}"""), Ct);
        using var attribute = await _admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative), HostileInput.JsonBody(
            """{"sku":"NL-1","name":"n","brand":"b","category":"c","price":1,"currency":"EUR","attributes":{"color\n":"red"}}"""), Ct);
        await HostileInput.AssertRefusedAsync(currency, "currency");
        await HostileInput.AssertRefusedAsync(attribute, "attributes.color\n");
        Assert.Equal(0, await StoredProductsAsync());
    }

    [Fact]
    public async Task The_batch_read_shows_drafts_to_admins_only()
    {
        var draft = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("DRAFT-1", status: "draft"));
        var active = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("LIVE-1"));

        var bySku = await _guest.GetFromJsonAsync<List<ProductResponse>>("/api/catalog/products/batch?skus=DRAFT-1,LIVE-1", Ct);
        var byId = await _guest.GetFromJsonAsync<List<ProductResponse>>($"/api/catalog/products/batch?ids={draft.Id},{active.Id}", Ct);
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        var asCustomer = await customer.GetFromJsonAsync<List<ProductResponse>>($"/api/catalog/products/batch?ids={draft.Id}", Ct);
        var asAdmin = await _admin.GetFromJsonAsync<List<ProductResponse>>($"/api/catalog/products/batch?ids={draft.Id}", Ct);

        Assert.Equal(active.Id, Assert.Single(bySku!).Id);
        Assert.Equal(active.Id, Assert.Single(byId!).Id);
        Assert.Empty(asCustomer!);
        Assert.Equal(draft.Id, Assert.Single(asAdmin!).Id);
    }

    [Theory]
    [InlineData("""{"sku":"STR-1","name":"n","brand":"b","category":"c","price":"10","currency":"EUR"}""", "price")]
    [InlineData("""{"sku":"STR-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","variants":[{"sku":"STR-1-L","price":"12"}]}""", "variants[0].price")]
    [InlineData("""{"sku":"STR-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","images":"x"}""", "images")]
    [InlineData("""{"sku":"STR-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR""", "currency")] // truncated: named where it broke
    public async Task Numbers_as_strings_and_wrong_types_are_a_problem_naming_the_field(string json, string field)
    {
        using var response = await _admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative), HostileInput.JsonBody(json), Ct);
        await HostileInput.AssertRefusedAsync(response, field);
        Assert.Equal(0, await StoredProductsAsync());
    }

    /// <summary>
    /// Creates a product from <paramref name="create"/> and replaces an existing one (KEEP-1) with <paramref name="replace"/>:
    /// both refused naming <paramref name="field"/>, no product added, the existing one unchanged.
    /// </summary>
    private async Task AssertCreateAndReplaceRefusedAsync(HttpContent create, HttpContent replace, string field)
    {
        var existing = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("KEEP-1"));

        using var created = await _admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative), create, Ct);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/catalog/products/{existing.Id}") { Content = replace };
        put.Headers.TryAddWithoutValidation("If-Match", "\"v1\"");
        using var replaced = await _admin.SendAsync(put, Ct);

        await HostileInput.AssertRefusedAsync(created, field);
        await HostileInput.AssertRefusedAsync(replaced, field);
        Assert.Equal(1, await StoredProductsAsync());
        Assert.Equal(1, await _host.QueryAsync(db => db.Products.Where(p => p.Id == existing.Id).Select(p => p.Version).SingleAsync(Ct)));
    }

    // HostileInput.NullElement: null variants or images were a 500.
    [Theory]
    [InlineData("""{"sku":"NUL-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","variants":[null]}""", "variants[0]")]
    [InlineData("""{"sku":"NUL-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","variants":[{"sku":"NUL-1-L"},null]}""", "variants[1]")]
    [InlineData("""{"sku":"NUL-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","images":[null]}""", "images[0]")]
    [InlineData("""{"sku":"NUL-1","name":"n","brand":"b","category":"c","price":10,"currency":"EUR","images":["https://img.example/1.png",null]}""", "images[1]")]
    public async Task A_null_variant_or_image_is_refused_naming_its_path_and_stores_nothing(string json, string field)
    {
        await AssertCreateAndReplaceRefusedAsync(HostileInput.JsonBody(json), HostileInput.JsonBody(json.Replace("NUL-1", "KEEP-1", StringComparison.Ordinal)), field);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1.000,5")]
    [InlineData("1e3")]
    [InlineData(" 5")]
    public async Task Prices_in_the_query_are_read_invariantly_and_a_group_separator_is_refused(string minPrice)
    {
        await CatalogHost.CreateAsync(_admin, CatalogHost.Product("P-15", price: 15m));
        using var response = await _guest.GetAsync(new Uri($"/api/catalog/products?minPrice={Uri.EscapeDataString(minPrice)}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var page = await _guest.GetFromJsonAsync<ProductPage>("/api/catalog/products?minPrice=1.5", Ct);
        Assert.Single(page!.Items);
    }

    [Fact]
    public async Task An_expired_or_garbage_token_on_a_public_read_is_401_not_ignored()
    {
        using var expired = _service.CreateClient(TestTokens.Expired(Guid.CreateVersion7()));
        using var garbage = _service.CreateClient("not-a-token");

        using var a = await expired.GetAsync(new Uri("/api/catalog/products", UriKind.Relative), Ct);
        using var b = await garbage.GetAsync(new Uri("/api/catalog/categories", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType);
    }
}
