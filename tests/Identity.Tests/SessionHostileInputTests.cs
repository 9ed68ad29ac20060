using Ecommerce.Testing.Hostile;
using Identity.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Identity.Tests;

/// <summary>
/// Issue 13 hostile inputs on refresh and logout: unstorable text and wrong types in <c>refreshToken</c>, and look-alikes of
/// a real token (invisible characters, case, padding). Never a 5xx; no token is issued, used or revoked, and the real
/// session keeps working.
/// </summary>
public sealed class SessionHostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string Password = "correct-Horse-42";
    private ServiceFactory<Program> _service = null!;
    private HttpClient _guest = null!;
    private string _database = "";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await infrastructure.CreateDatabaseAsync("identity");
        _service = new ServiceFactory<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:identitydb"] = _database,
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
        });
        _guest = _service.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _guest.Dispose();
        await _service.DisposeAsync();
    }

    /// <summary>A signed-in user's refresh token.</summary>
    private async Task<string> RefreshTokenAsync()
    {
        var email = $"{Guid.NewGuid():N}@example.test";
        (await _guest.PostAsJsonAsync("/api/identity/register", new { email, password = Password, name = "Ada" }, Ct)).EnsureSuccessStatusCode();
        using var token = await _guest.PostAsJsonAsync("/api/identity/token", new { email, password = Password }, Ct);
        return (await token.Content.ReadFromJsonAsync<TokenResponse>(Ct))!.RefreshToken;
    }

    /// <summary>(stored tokens, used, revoked): what a refused call must leave as it was.</summary>
    private async Task<(int Tokens, int Used, int Revoked)> TokensAsync()
    {
        await using var db = new IdentityDb(new DbContextOptionsBuilder<IdentityDb>().UseNpgsql(_database).Options);
        return (await db.RefreshTokens.CountAsync(Ct), await db.RefreshTokens.CountAsync(t => t.UsedAt != null, Ct),
            await db.RefreshTokens.CountAsync(t => t.RevokedAt != null, Ct));
    }

    private async Task AssertSessionIntactAsync(string refreshToken, (int, int, int) before)
    {
        Assert.Equal(before, await TokensAsync());
        using var refreshed = await _guest.PostAsJsonAsync("/api/identity/refresh", new { refreshToken }, Ct);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode); // the real token was neither used nor revoked
    }

    public static readonly string[] Endpoints = ["refresh", "logout"];

    public static TheoryData<string, string> UnstorableCases() => HostileInput.Cases(Endpoints, HostileInput.Json);

    [Theory]
    [MemberData(nameof(UnstorableCases))]
    public async Task Unstorable_text_in_the_refresh_token_is_a_400_naming_it_and_changes_nothing(string endpoint, string inputClass)
    {
        var real = await RefreshTokenAsync();
        var before = await TokensAsync();

        using var response = await _guest.PostAsync(new Uri($"/api/identity/{endpoint}", UriKind.Relative),
            HostileInput.JsonBody(new { refreshToken = "@@" }, inputClass), Ct);

        await HostileInput.AssertRefusedAsync(response, "refreshToken");
        await AssertSessionIntactAsync(real, before);
    }

    public static TheoryData<string, string> WrongTypeCases() => HostileInput.Cases(Endpoints,
        ["""{"refreshToken":12}""", """{"refreshToken":["x"]}""", """{"refreshToken":{"a":1}}""", """{"refreshToken":"x""", "not json"]);

    [Theory]
    [MemberData(nameof(WrongTypeCases))]
    public async Task Wrong_types_and_broken_json_are_a_400_and_change_nothing(string endpoint, string json)
    {
        var real = await RefreshTokenAsync();
        var before = await TokensAsync();

        using var response = await _guest.PostAsync(new Uri($"/api/identity/{endpoint}", UriKind.Relative), HostileInput.JsonBody(json), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertSessionIntactAsync(real, before);
    }

    public static TheoryData<string, string> LookAlikeCases() =>
        HostileInput.Cases(Endpoints, [.. HostileInput.Invisible, "swapped-case", "padded", "overlong", "empty"]);

    /// <summary>A look-alike of the real token is a different string: 401 on refresh, 204 (nothing to end) on logout.</summary>
    [Theory]
    [MemberData(nameof(LookAlikeCases))]
    public async Task A_look_alike_of_a_real_token_is_not_that_token(string endpoint, string inputClass)
    {
        var real = await RefreshTokenAsync();
        var before = await TokensAsync();
        var lookAlike = inputClass switch
        {
            "swapped-case" => new string(real.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray()),
            "padded" => $" {real} ",
            "overlong" => real + new string('A', 200),
            "empty" => "",
            _ => HostileInput.Text(inputClass).Replace("AB", real, StringComparison.Ordinal),
        };

        using var response = await _guest.PostAsJsonAsync($"/api/identity/{endpoint}", new { refreshToken = lookAlike }, Ct);

        Assert.True((int)response.StatusCode is >= 200 and < 500, $"{(int)response.StatusCode}");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode); // never a new token pair
        await AssertSessionIntactAsync(real, before);
    }
}
