using Ecommerce.Testing.Hostile;

namespace Search.Tests;

/// <summary>Issue 13, defects 3, 6, 10 on search: unstorable query text, culture-dependent prices, ignored tokens.</summary>
public sealed class HostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly string _index = Path.Combine(Path.GetTempPath(), "search-hostile-tests", Guid.NewGuid().ToString("N")[..12]);
    private ServiceFactory<Program> _service = null!;
    private HttpClient _client = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
            ["Search:Lucene:Directory"] = _index,
            ["Search:ReindexWhenEmpty"] = "false",
            ["Search:ReconcileInterval"] = "00:00:00",
        });
        _client = _service.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync();
        if (Directory.Exists(_index)) Directory.Delete(_index, recursive: true);
    }

    public static TheoryData<string, string> QueryCases() => HostileInput.Cases(
        ["search?q", "search?category", "search?brand", "search?sort", "search?minPrice", "search?inStock", "suggest?q"], HostileInput.Unstorable);

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task Every_query_parameter_refuses_unstorable_text_with_a_400_naming_it(string parameter, string inputClass)
    {
        var (path, field) = (parameter.Split('?')[0], parameter.Split('?')[1]);
        var url = path == "search" ? $"/api/search?{field}={HostileInput.Url(inputClass)}" : $"/api/search/suggest?{field}={HostileInput.Url(inputClass)}";
        using var response = await _client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        await HostileInput.AssertRefusedAsync(response, field);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1.000,50")]
    [InlineData("1e2")]
    public async Task Prices_are_read_invariantly_and_a_group_separator_is_refused(string minPrice)
    {
        using var refused = await _client.GetAsync(new Uri($"/api/search?minPrice={Uri.EscapeDataString(minPrice)}", UriKind.Relative), Ct);
        using var accepted = await _client.GetAsync(new Uri("/api/search?minPrice=1.5", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_on_public_search_is_401()
    {
        using var expired = _service.CreateClient(TestTokens.Expired(Guid.CreateVersion7()));
        using var response = await expired.GetAsync(new Uri("/api/search?q=mug", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
