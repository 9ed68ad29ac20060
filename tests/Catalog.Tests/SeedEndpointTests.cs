using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Tests;

/// <summary>The admin seed endpoint behind the dashboard's "Seed products" command.</summary>
public sealed class SeedEndpointTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private sealed record SeedResult(int Added, int Total);

    private CatalogHost _host = null!;
    private ServiceFactory<Program> _service = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await CatalogHost.CreateAsync(infrastructure);
        _service = _host.Instance();
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static Uri Seed(string products) => new($"/api/catalog/admin/seed?products={products}", UriKind.Relative);

    [Fact]
    public async Task An_admin_adds_generated_products_that_continue_the_numbering()
    {
        using var admin = _service.CreateClient(TestTokens.Admin());
        var before = await _host.QueryAsync(db => db.Products.CountAsync());

        using var first = await admin.PostAsync(Seed("25"), null, TestContext.Current.CancellationToken);
        using var second = await admin.PostAsync(Seed("5"), null, TestContext.Current.CancellationToken);
        var result = await second.Content.ReadFromJsonAsync<SeedResult>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(new SeedResult(5, before + 30), result);
        Assert.Equal(before + 30, await _host.QueryAsync(db => db.Products.CountAsync()));
        Assert.Equal(before + 30, await _host.QueryAsync(db => db.Products.Select(p => p.Sku).Distinct().CountAsync()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("ten")]
    public async Task A_count_out_of_range_or_not_a_whole_number_is_a_400_and_adds_nothing(string products)
    {
        using var admin = _service.CreateClient(TestTokens.Admin());
        var before = await _host.QueryAsync(db => db.Products.CountAsync());

        using var response = await admin.PostAsync(Seed(products), null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await _host.QueryAsync(db => db.Products.CountAsync()));
    }

    [Fact]
    public async Task Only_an_admin_may_seed()
    {
        using var anonymous = _service.CreateClient();
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var refused = await anonymous.PostAsync(Seed("5"), null, TestContext.Current.CancellationToken);
        using var forbidden = await customer.PostAsync(Seed("5"), null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
