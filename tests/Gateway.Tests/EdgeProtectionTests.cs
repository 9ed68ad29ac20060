using System.Net;
using System.Net.Http.Json;

namespace Gateway.Tests;

/// <summary>Limits the gateway applies before anything reaches a service.</summary>
public sealed class EdgeProtectionTests : IAsyncLifetime
{
    private FakeDownstream _identity = null!;
    private ServiceFactory<Program> _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _identity = await FakeDownstream.StartAsync("identity-api");
        _gateway = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["services:identity-api:http:0"] = _identity.Url.ToString(),
            ["Gateway:SignInPerMinute"] = "5",
            ["Gateway:WritesPerMinute"] = "3",
            ["Gateway:MaxRequestBodyBytes"] = "1000",
            ["Gateway:CorsOrigins:0"] = "https://shop.example",
        });
    }

    [Fact]
    public async Task Sign_in_attempts_are_throttled_per_client_with_a_429_problem_and_Retry_After()
    {
        using var client = _gateway.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/identity/token", new { email = "a@b.c", password = "guess" + i }, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Writes_are_limited_per_user_and_one_user_does_not_use_up_another()
    {
        using var first = _gateway.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var second = _gateway.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        var firstStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await first.PutAsJsonAsync("/api/identity/me", new { name = "n" + i }, TestContext.Current.CancellationToken);
            firstStatuses.Add(response.StatusCode);
        }

        using var other = await second.PutAsJsonAsync("/api/identity/me", new { name = "x" }, TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], firstStatuses);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Reads_are_not_throttled()
    {
        using var client = _gateway.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(new Uri("/api/identity/me", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_before_it_reaches_a_service()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.PostAsync(new Uri("/api/identity/register", UriKind.Relative),
            new StringContent(new string('x', 5000), System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cors_allows_the_storefront_origin_only()
    {
        using var client = _gateway.CreateClient();

        async Task<string?> AllowedOrigin(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/identity/me");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "PUT");
            using var response = await client.SendAsync(preflight, TestContext.Current.CancellationToken);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }

        Assert.Equal("https://shop.example", await AllowedOrigin("https://shop.example"));
        Assert.Null(await AllowedOrigin("https://evil.example"));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _identity.DisposeAsync();
    }
}
