namespace Catalog.Tests;

public sealed class BrowseTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogHost _host = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await CatalogHost.CreateAsync(infrastructure);
        var service = _host.Instance();
        using var admin = service.CreateClient(TestTokens.Admin());
        await CatalogHost.CreateAsync(admin, CatalogHost.Product("MUG-RED", 12m, "mugs", "Acme", attributes: new { color = "red", capacityMl = 350, dishwasherSafe = true }, name: "Red Mug"));
        await CatalogHost.CreateAsync(admin, CatalogHost.Product("MUG-BLUE", 14m, "mugs", "Acme", attributes: new { color = "blue", capacityMl = 500, dishwasherSafe = false }, name: "Blue Mug"));
        await CatalogHost.CreateAsync(admin, CatalogHost.Product("TEE-1", 20m, "t-shirts", "Basico", attributes: new { color = new[] { "red", "white" } }, name: "Striped Tee",
            variants: [new { sku = "TEE-1-M", attributes = new { size = "M" } }, new { sku = "TEE-1-L", attributes = new { size = "L" }, price = 22m }]));
        await CatalogHost.CreateAsync(admin, CatalogHost.Product("TEE-2", 20m, "t-shirts", "Basico", attributes: new { color = "black" }, name: "Black Tee"));
        await CatalogHost.CreateAsync(admin, CatalogHost.Product("CAP-1", 15m, "hats", "Acme", status: "draft", name: "Draft Cap"));
        _client = service.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<string[]> SkusAsync(string query) =>
        (await _client.GetFromJsonAsync<ProductPage>($"/api/catalog/products{query}", TestContext.Current.CancellationToken))!.Items.Select(p => p.Sku).ToArray();

    [Theory]
    [InlineData("?sort=name", new[] { "TEE-2", "MUG-BLUE", "MUG-RED", "TEE-1" })]
    [InlineData("?sort=price", new[] { "MUG-RED", "MUG-BLUE", "TEE-1", "TEE-2" })]
    [InlineData("?category=mugs", new[] { "MUG-BLUE", "MUG-RED" })]
    [InlineData("?category=MUGS", new[] { "MUG-BLUE", "MUG-RED" })]
    [InlineData("?category=%20Mugs%20", new[] { "MUG-BLUE", "MUG-RED" })]
    [InlineData("?brand=BASICO&sort=name", new[] { "TEE-2", "TEE-1" })]
    [InlineData("?brand=acme&category=T-SHIRTS", new string[0])]
    [InlineData("?brand=Basico&sort=name", new[] { "TEE-2", "TEE-1" })]
    [InlineData("?minPrice=13&maxPrice=20&sort=price", new[] { "MUG-BLUE", "TEE-1", "TEE-2" })]
    [InlineData("?attr.color=red", new[] { "MUG-RED", "TEE-1" })]
    [InlineData("?attr.capacityMl=500", new[] { "MUG-BLUE" })]
    [InlineData("?attr.dishwasherSafe=true", new[] { "MUG-RED" })]
    [InlineData("?attr.color=red&category=t-shirts", new[] { "TEE-1" })]
    [InlineData("?attr.color=purple", new string[0])]
    public async Task Filters_and_sorts_show_active_products_only(string query, string[] expected)
    {
        var skus = await SkusAsync(query);

        if (query.Contains("sort=", StringComparison.Ordinal))
        {
            Assert.Equal(expected, skus);
        }
        else
        {
            Assert.Equal(expected.Order(StringComparer.Ordinal), skus.Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData("name")]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("newest")]
    public async Task Keyset_pages_walk_every_product_once_in_order(string sort)
    {
        var all = await SkusAsync($"?sort={sort}&limit=100");
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _client.GetFromJsonAsync<ProductPage>(
                $"/api/catalog/products?sort={sort}&limit=1{(cursor is null ? "" : "&cursor=" + cursor)}", TestContext.Current.CancellationToken);
            walked.AddRange(page!.Items.Select(p => p.Sku));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(4, all.Length);
        Assert.Equal(all, walked);
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=101")]
    [InlineData("?limit=abc")]
    [InlineData("?sort=popularity")]
    [InlineData("?minPrice=-1")]
    [InlineData("?minPrice=20&maxPrice=10")]
    [InlineData("?cursor=garbage")]
    [InlineData("?cursor=eyJzb3J0IjoibmFtZSJ9")]
    public async Task Bad_browse_parameters_are_400_problems(string query)
    {
        using var response = await _client.GetAsync(new Uri($"/api/catalog/products{query}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_cursor_from_another_sort_is_refused()
    {
        var page = await _client.GetFromJsonAsync<ProductPage>("/api/catalog/products?sort=price&limit=1", TestContext.Current.CancellationToken);

        using var response = await _client.GetAsync(new Uri($"/api/catalog/products?sort=name&cursor={page!.NextCursor}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Batch_finds_products_by_id_sku_and_variant_sku()
    {
        var byName = (await _client.GetFromJsonAsync<ProductPage>("/api/catalog/products?limit=100", TestContext.Current.CancellationToken))!.Items.ToDictionary(p => p.Sku);

        var bySkus = await _client.GetFromJsonAsync<List<ProductResponse>>("/api/catalog/products/batch?skus=MUG-RED,TEE-1-L,NOPE", TestContext.Current.CancellationToken);
        var byIds = await _client.GetFromJsonAsync<List<ProductResponse>>($"/api/catalog/products/batch?ids={byName["TEE-2"].Id}", TestContext.Current.CancellationToken);
        using var bad = await _client.GetAsync(new Uri("/api/catalog/products/batch?ids=not-a-guid", UriKind.Relative), TestContext.Current.CancellationToken);
        using var none = await _client.GetAsync(new Uri("/api/catalog/products/batch", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(["MUG-RED", "TEE-1"], bySkus!.Select(p => p.Sku).Order(StringComparer.Ordinal));
        Assert.Equal("TEE-2", Assert.Single(byIds!).Sku);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    [Theory]
    [InlineData("", 4)]
    [InlineData("?category=MUGS", 2)]
    [InlineData("?attr.color=red&limit=1", 2)]
    [InlineData("?category=none", 0)]
    public async Task A_list_says_how_many_products_match_on_every_page(string query, int total)
    {
        var first = await _client.GetFromJsonAsync<ProductPage>($"/api/catalog/products{query}", TestContext.Current.CancellationToken);
        Assert.Equal((total, true), (first!.Total, first.TotalIsExact));
        if (first.NextCursor is { } cursor)
        {
            var separator = query.Length == 0 ? "?" : "&";
            var next = await _client.GetFromJsonAsync<ProductPage>($"/api/catalog/products{query}{separator}cursor={cursor}", TestContext.Current.CancellationToken);
            Assert.Equal(total, next!.Total);
        }
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(1000, 1000, true)]
    [InlineData(1001, 1000, false)]
    public void Past_the_cap_the_total_is_a_lower_bound(long counted, long total, bool exact)
    {
        var page = Browse.WithTotal(new ProductPage([], null), counted);
        Assert.Equal((total, exact), (page.Total, page.TotalIsExact));
    }

    [Fact]
    public async Task Categories_and_brands_count_active_products()
    {
        var categories = await _client.GetFromJsonAsync<List<FacetCount>>("/api/catalog/categories", TestContext.Current.CancellationToken);
        var brands = await _client.GetFromJsonAsync<List<FacetCount>>("/api/catalog/brands", TestContext.Current.CancellationToken);

        Assert.Equal([new FacetCount("mugs", 2), new FacetCount("t-shirts", 2)], categories);
        Assert.Equal([new FacetCount("Acme", 2), new FacetCount("Basico", 2)], brands);
    }
}
