using System.Net;
using System.Net.Http.Json;

namespace Gateway.Tests;

/// <summary>Issue 13, defects 1, 5 and 9 at the edge: path spellings around the sign-in throttle, non-ASCII headers, dot segments.</summary>
public sealed class EdgeSpellingTests : IAsyncLifetime
{
    private FakeDownstream _identity = null!;
    private ServiceFactory<Program> _gateway = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _identity = await FakeDownstream.StartAsync("identity-api");
        _gateway = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["services:identity-api:http:0"] = _identity.Url.ToString(),
            ["Gateway:SignInPerMinute"] = "3",
        }, useRealServer: true);
        _gateway.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _identity.DisposeAsync();
    }

    [Fact]
    public async Task The_sign_in_throttle_applies_to_every_spelling_of_its_path()
    {
        using var client = _gateway.CreateClient();
        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "/api/identity/token", "/api/identity/token/", "/API/Identity/Token", "/api//identity/token//", "/api/identity/token/" })
        {
            using var response = await client.PostAsJsonAsync(path, new { email = "a@b.c", password = "guess" }, Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(3, statuses.Count(s => s != HttpStatusCode.TooManyRequests));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses[3..]);
    }

    [Theory]
    [InlineData("Accept-Language", "\u00e9")]
    [InlineData("X-Anything", "caf\u00e9")]
    public async Task A_non_ascii_header_value_is_a_400_naming_the_header_not_a_502(string header, string value)
    {
        using var client = _gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/me");
        request.Headers.TryAddWithoutValidation(header, value);
        // HttpClient encodes header values as Latin-1 only when asked to: send the raw bytes a hostile client would.
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 };
        using var raw = new HttpClient(handler) { BaseAddress = client.BaseAddress };
        using var response = await raw.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(header, await response.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("%2e%2e")]
    [InlineData(".%2E")]
    [InlineData("%2e")]
    public async Task A_dot_segment_is_refused_at_the_edge_and_never_forwarded_as_another_path(string segment)
    {
        using var client = _gateway.CreateClient();
        var raw = new Uri($"{client.BaseAddress}api/identity/me/{segment}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, raw), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("path", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
