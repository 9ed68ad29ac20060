using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests.Security;

/// <summary>
/// OWASP API7 (SSRF), API8 (security misconfiguration), API9 (inventory management) at the edge.
/// API10 (unsafe consumption of APIs) is covered where services consume each other: prices and stock are
/// always re-read from their owner (API3, API6), never taken from a caller.
/// </summary>
public sealed class Api7To10EdgeTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://127.0.0.1:6379/_FLUSHALL")]
    [InlineData("ftp://internal/image.jpg")]
    public async Task Api7_product_image_urls_other_than_http_are_refused_and_none_is_ever_fetched(string image)
    {
        using var admin = platform.CreateClient(TestTokens.Admin());

        using var response = await admin.PostAsJsonAsync("/api/catalog/products", new
        {
            sku = "SSRF-" + Guid.NewGuid().ToString("N")[..6], name = "Probe", brand = "Acme", category = "probes", price = 1m, currency = "EUR",
            images = new[] { image },
        }, Shop.Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Api8_errors_are_problem_details_without_internals_and_no_server_banner_is_sent()
    {
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var malformed = new StringContent("{\"sku\": \"A\", \"price\": ", System.Text.Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync(new Uri("/api/catalog/products", UriKind.Relative), malformed, Shop.Ct);
        var body = await response.Content.ReadAsStringAsync(Shop.Ct);
        using var health = await platform.CreateClient().GetAsync(new Uri("/health", UriKind.Relative), Shop.Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"), "the edge announces its server software");
        Assert.False(health.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Api8_cors_allows_only_configured_origins()
    {
        using var client = platform.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/catalog/products");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await client.SendAsync(request, Shop.Ct);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/api/admin")]
    [InlineData("/api/internal/outbox")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/catalogs/products")]
    public async Task Api9_only_the_published_apis_are_reachable_through_the_edge(string url)
    {
        using var response = await platform.CreateClient().GetAsync(new Uri(url, UriKind.Relative), Shop.Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
