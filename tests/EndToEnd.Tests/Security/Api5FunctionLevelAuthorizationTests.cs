using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests.Security;

/// <summary>OWASP API5:2023 — broken function level authorization: every admin function refuses customers (403) and guests (401).</summary>
public sealed class Api5FunctionLevelAuthorizationTests(PlatformFixture platform)
{
    public static TheoryData<string, string> AdminFunctions => new()
    {
        { "POST", "/api/catalog/products" },
        { "PUT", $"/api/catalog/products/{Guid.CreateVersion7()}" },
        { "DELETE", $"/api/catalog/products/{Guid.CreateVersion7()}" },
        { "PUT", "/api/inventory/ANY-SKU" },
        { "POST", $"/api/orders/{Guid.CreateVersion7()}/ship" },
        { "POST", $"/api/orders/{Guid.CreateVersion7()}/deliver" },
        { "GET", "/api/orders/projection" },
        { "POST", "/api/search/reindex" },
        { "GET", "/api/search/reindex" },
        { "POST", "/api/search/reconcile" },
    };

    [Theory]
    [MemberData(nameof(AdminFunctions))]
    public async Task Customers_get_403_and_guests_401_on_admin_functions(string method, string url)
    {
        using var customer = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var guest = platform.CreateClient();
        HttpRequestMessage Request() => new(new HttpMethod(method), url)
        {
            Content = method == "GET" ? null : JsonContent.Create(new { warehouse = "main", onHand = 1, trackingNumber = "X", sku = "X", name = "X" }),
        };

        using var asCustomer = await customer.SendAsync(Request(), Shop.Ct);
        using var asGuest = await guest.SendAsync(Request(), Shop.Ct);

        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, asGuest.StatusCode);
    }
}
