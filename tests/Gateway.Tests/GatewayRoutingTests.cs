using System.Net;
using System.Net.Http.Json;

namespace Gateway.Tests;

/// <summary>The gateway forwards /api/{prefix}/… unchanged to the owning service that service discovery names.</summary>
public sealed class GatewayRoutingTests : IAsyncLifetime
{
    private FakeDownstream _catalog = null!;
    private FakeDownstream _ordering = null!;
    private ServiceFactory<Program> _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await FakeDownstream.StartAsync("catalog-api");
        _ordering = await FakeDownstream.StartAsync("ordering-api");
        _gateway = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            // Exactly the keys an Aspire AppHost sets (services__catalog-api__http__0).
            ["services:catalog-api:http:0"] = _catalog.Url.ToString(),
            ["services:ordering-api:http:0"] = _ordering.Url.ToString(),
            ["Gateway:HealthProbeCacheMilliseconds"] = "0", // every request probes: the test flips health and looks at once
        });
    }

    [Theory]
    [InlineData("/api/catalog/products?category=shoes&limit=5", "catalog-api")]
    [InlineData("/api/inventory/SKU-1", "ordering-api")]
    [InlineData("/api/orders/0192f000-0000-7000-8000-000000000000/history", "ordering-api")]
    public async Task Forwards_the_path_and_query_unchanged_to_the_owner(string path, string owner)
    {
        using var client = _gateway.CreateClient("token-value");

        var echo = await client.GetFromJsonAsync<Echo>(path, TestContext.Current.CancellationToken);

        Assert.NotNull(echo);
        Assert.Equal(owner, echo.Service);
        Assert.Equal(path, echo.PathAndQuery);
        Assert.Equal("Bearer token-value", echo.Authorization);
    }

    [Fact]
    public async Task HEAD_and_If_None_Match_are_forwarded_as_sent()
    {
        using var client = _gateway.CreateClient();
        using var head = new HttpRequestMessage(HttpMethod.Head, "/api/catalog/products/0192f000-0000-7000-8000-000000000000");
        head.Headers.TryAddWithoutValidation("If-None-Match", "\"v1\"");

        using var response = await client.SendAsync(head, TestContext.Current.CancellationToken);

        // The service decides what HEAD and the validator mean; the gateway neither turns HEAD into GET nor drops headers.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("HEAD", Assert.Single(response.Headers.GetValues("X-Echo-Method")));
        Assert.Equal("\"v1\"", Assert.Single(response.Headers.GetValues("X-Echo-If-None-Match")));
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_known_prefix_whose_service_is_not_deployed_is_a_503_problem()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/search?q=shoe", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("search-api", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_prefix_is_a_404_problem()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/warehouse/x", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_includes_every_downstream_service_and_fails_when_one_is_down()
    {
        using var client = _gateway.CreateClient();

        var healthy = await client.GetFromJsonAsync<HealthResponseDto>("/health", TestContext.Current.CancellationToken);
        Assert.Equal("Healthy", healthy!.Status);
        Assert.Equal(["catalog-api", "ordering-api", "self"], healthy.Checks.Keys.Order(StringComparer.Ordinal));

        _ordering.Healthy = false;
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        var unhealthy = await response.Content.ReadFromJsonAsync<HealthResponseDto>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", unhealthy!.Checks["ordering-api"].Status);
        Assert.Equal("Healthy", unhealthy.Checks["catalog-api"].Status);

        // Liveness does not depend on downstream services.
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task A_request_to_a_down_service_is_a_503_problem_with_retry_after_not_a_bare_502()
    {
        using var client = _gateway.CreateClient();
        var address = _ordering.Url;
        await _ordering.DisposeAsync(); // nothing listens there any more: connection refused

        using var response = await client.GetAsync(new Uri("/api/orders", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("ordering-api could not be reached", body, StringComparison.Ordinal);
        Assert.DoesNotContain(address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_down_service_is_reported_without_its_internal_address()
    {
        using var client = _gateway.CreateClient();
        var address = _ordering.Url;
        await _ordering.DisposeAsync(); // nothing listens there any more: connection refused

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("ordering-api is unreachable", body, StringComparison.Ordinal);
        Assert.DoesNotContain(address.Host, body, StringComparison.Ordinal);
        Assert.DoesNotContain(address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_burst_on_the_public_health_endpoint_probes_each_service_once_per_window()
    {
        await using var gateway = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["services:catalog-api:http:0"] = _catalog.Url.ToString(),
            ["services:ordering-api:http:0"] = _ordering.Url.ToString(),
            ["Gateway:HealthProbeCacheMilliseconds"] = "60000",
        });
        using var client = gateway.CreateClient();
        var before = (_catalog.HealthProbes, _ordering.HealthProbes);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
            return response.StatusCode;
        }));

        Assert.All(answers, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal((before.Item1 + 1, before.Item2 + 1), (_catalog.HealthProbes, _ordering.HealthProbes));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _catalog.DisposeAsync();
        await _ordering.DisposeAsync();
    }

    private sealed record HealthResponseDto(string Status, Dictionary<string, HealthEntryDto> Checks);

    private sealed record HealthEntryDto(string Status, string? Description);
}
