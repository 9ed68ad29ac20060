using Ecommerce.Testing.Hostile;
using Microsoft.EntityFrameworkCore;

namespace Catalog.Tests;

/// <summary>
/// Issue 13 hostile inputs on DELETE /api/catalog/products/{id}: hostile path values, hostile and malformed If-Match
/// values, and callers who may not delete. Never a 5xx, and the product is still there, at its version.
/// </summary>
public sealed class DeleteHostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private CatalogHost _host = null!;
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;
    private ProductResponse _product = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await CatalogHost.CreateAsync(infrastructure);
        _service = _host.Instance();
        _admin = _service.CreateClient(TestTokens.Admin());
        _product = await CatalogHost.CreateAsync(_admin, CatalogHost.Product("KEEP-DEL-1"));
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    private async Task AssertUntouchedAsync(HttpResponseMessage response)
    {
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"expected a 4xx, got {(int)response.StatusCode}");
        Assert.Equal(1L, await _host.QueryAsync(db => db.Products.Where(p => p.Id == _product.Id).Select(p => p.Version).SingleAsync(Ct)));
        Assert.Equal(1, await _host.QueryAsync(db => db.Set<Ecommerce.Messaging.OutboxMessage>().CountAsync(Ct))); // the create's event only
    }

    /// <summary>The id with a hostile character before it, inside it and in place of it.</summary>
    public static TheoryData<string, string> PathCases() => HostileInput.Cases(["before", "inside", "instead"], HostileInput.InPath);

    [Theory]
    [MemberData(nameof(PathCases))]
    public async Task A_hostile_id_in_the_path_deletes_nothing(string where, string inputClass)
    {
        var id = _product.Id.ToString();
        var hostile = HostileInput.Url(inputClass);
        var value = where switch
        {
            "before" => hostile + id,
            "inside" => id[..8] + hostile + id[8..],
            _ => hostile,
        };

        using var response = await _admin.DeleteAsync(new Uri($"/api/catalog/products/{value}", UriKind.Relative), Ct);

        await AssertUntouchedAsync(response);
    }

    [Theory]
    [InlineData("\"v1\u0007\"")]             // a control character inside the tag
    [InlineData("\"v1\u001b[2J\"")]
    [InlineData("\"v\u200B1\"")]             // a zero-width space: not an etagc
    [InlineData("\"v1\", \"v1")]             // unterminated second tag
    [InlineData("W/")]
    [InlineData("\"v1\" OR 1=1")]
    public async Task A_hostile_If_Match_is_refused_and_deletes_nothing(string ifMatch)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/catalog/products/{_product.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", ifMatch);

        using var response = await _admin.SendAsync(delete, Ct);

        await AssertUntouchedAsync(response);
    }

    [Fact]
    public async Task Callers_who_may_not_delete_delete_nothing()
    {
        using var customer = _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var guest = _service.CreateClient();
        using var expired = _service.CreateClient(TestTokens.Expired(Guid.CreateVersion7()));
        var path = new Uri($"/api/catalog/products/{_product.Id}", UriKind.Relative);

        foreach (var client in new[] { customer, guest, expired })
        {
            using var response = await client.DeleteAsync(path, Ct);
            await AssertUntouchedAsync(response);
        }
    }
}
