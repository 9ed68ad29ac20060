using Ecommerce.Testing.Hostile;
using Search.Api.Indexing;

namespace Search.Tests;

/// <summary>
/// Issue 13 hostile inputs on the admin reindex (POST /api/search/reindex): it takes no input, so anything hostile a
/// client attaches (query values, JSON strings, wrong credentials) must be refused before a rebuild starts. Never a
/// 5xx, and the rebuilder stays idle (no rebuild was started).
/// </summary>
public sealed class ReindexHostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private readonly string _index = Path.Combine(Path.GetTempPath(), "search-reindex-hostile", Guid.NewGuid().ToString("N")[..12]);
    private ServiceFactory<Program> _service = null!;
    private HttpClient _admin = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
            ["Search:Lucene:Directory"] = _index,
            ["Search:ReindexWhenEmpty"] = "false",
            ["Search:ReconcileInterval"] = "00:00:00",
            // Nothing listens here: a rebuild that did start would fail and say so in its status.
            ["Search:CatalogUrl"] = "http://127.0.0.1:9",
        });
        _admin = _service.CreateClient(TestTokens.Admin());
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _service.DisposeAsync();
        if (Directory.Exists(_index)) Directory.Delete(_index, recursive: true);
    }

    private async Task AssertIdleAsync()
    {
        var status = await _admin.GetFromJsonAsync<ReindexStatus>("/api/search/reindex", Ct);
        Assert.Equal(("idle", (DateTimeOffset?)null), (status!.State, status.StartedAt));
    }

    public static TheoryData<string, string> QueryCases() => HostileInput.Cases(["force", "source"], HostileInput.Unstorable);

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task Unstorable_text_in_the_query_is_a_400_naming_it_and_starts_nothing(string field, string inputClass)
    {
        using var response = await _admin.PostAsync(new Uri($"/api/search/reindex?{field}={HostileInput.Url(inputClass)}", UriKind.Relative), null, Ct);

        await HostileInput.AssertRefusedAsync(response, field);
        await AssertIdleAsync();
    }

    [Theory]
    [MemberData(nameof(HostileInput.JsonClasses), MemberType = typeof(HostileInput))]
    public async Task Unstorable_text_in_a_json_body_is_a_400_naming_it_and_starts_nothing(string inputClass)
    {
        using var response = await _admin.PostAsync(new Uri("/api/search/reindex", UriKind.Relative),
            HostileInput.JsonBody(new { reason = "@@" }, inputClass), Ct);

        await HostileInput.AssertRefusedAsync(response, "reason");
        await AssertIdleAsync();
    }

    public static TheoryData<string> Callers() => new() { "guest", "customer", "expired", "garbage" };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Callers_who_are_not_admins_start_nothing(string caller)
    {
        using var client = caller switch
        {
            "guest" => _service.CreateClient(),
            "customer" => _service.CreateClient(TestTokens.Customer(Guid.CreateVersion7())),
            "expired" => _service.CreateClient(TestTokens.Expired(Guid.CreateVersion7())),
            _ => _service.CreateClient("not-a-token"),
        };

        using var response = await client.PostAsync(new Uri("/api/search/reindex", UriKind.Relative), null, Ct);

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{(int)response.StatusCode}");
        await AssertIdleAsync();
    }
}
