using Ecommerce.Testing.Hostile;
using Identity.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Identity.Tests;

/// <summary>Issue 13, defects 3, 6, 7, 10 on identity: unstorable names/addresses/emails, wrong types, country codes, ignored tokens.</summary>
public sealed class HostileInputTests(TestInfrastructure infrastructure) : IAsyncLifetime
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

    private async Task<IdentityDb> DbAsync()
    {
        await Task.CompletedTask;
        return new IdentityDb(new DbContextOptionsBuilder<IdentityDb>().UseNpgsql(_database).Options);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var email = $"{Guid.NewGuid():N}@example.test";
        using var registered = await _guest.PostAsJsonAsync("/api/identity/register", new { email, password = Password, name = "Ada" }, Ct);
        registered.EnsureSuccessStatusCode();
        using var token = await _guest.PostAsJsonAsync("/api/identity/token", new { email, password = Password }, Ct);
        return _service.CreateClient((await token.Content.ReadFromJsonAsync<TokenResponse>(Ct))!.AccessToken);
    }

    public static TheoryData<string, string> RegisterCases() => HostileInput.Cases(["email", "password", "name"], HostileInput.Json);

    [Theory]
    [MemberData(nameof(RegisterCases))]
    public async Task Register_and_sign_in_refuse_unstorable_text_and_store_nothing(string field, string inputClass)
    {
        var body = new { email = field == "email" ? "@@" : "a@example.test", password = field == "password" ? "@@" : Password, name = field == "name" ? "@@" : "Ada" };
        using var register = await _guest.PostAsync(new Uri("/api/identity/register", UriKind.Relative), HostileInput.JsonBody(body, inputClass), Ct);
        using var signIn = await _guest.PostAsync(new Uri("/api/identity/token", UriKind.Relative), HostileInput.JsonBody(new { email = body.email, password = body.password }, inputClass), Ct);

        await HostileInput.AssertRefusedAsync(register, field);
        if (field != "name") await HostileInput.AssertRefusedAsync(signIn, field);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Users.CountAsync(u => u.Email == "a@example.test", Ct));
    }

    public static TheoryData<string, string> ProfileCases() =>
        HostileInput.Cases(["name", "addresses[0].line1", "addresses[0].city", "addresses[0].country", "addresses[0].label"], HostileInput.Json);

    [Theory]
    [MemberData(nameof(ProfileCases))]
    public async Task A_profile_update_refuses_unstorable_text_and_changes_nothing(string field, string inputClass)
    {
        using var client = await SignedInAsync();
        string V(string name, string fallback) => name == field ? "@@" : fallback;
        var body = new
        {
            name = V("name", "Grace"),
            addresses = new[] { new { label = V("addresses[0].label", "home"), line1 = V("addresses[0].line1", "1 Way"), city = V("addresses[0].city", "London"), postalCode = "N1", country = V("addresses[0].country", "GB") } },
        };
        using var response = await client.PutAsync(new Uri("/api/identity/me", UriKind.Relative), HostileInput.JsonBody(body, inputClass), Ct);

        await HostileInput.AssertRefusedAsync(response, field);
        var me = await client.GetFromJsonAsync<ProfileResponse>("/api/identity/me", Ct);
        Assert.Equal(("Ada", 0), (me!.Name, me.Addresses.Count));
    }

    // HostileInput.NullElement: "addresses":[null] was a 500.
    [Theory]
    [InlineData("""{"name":"Grace","addresses":[null]}""", "addresses[0]")]
    [InlineData("""{"name":"Grace","addresses":[{"line1":"1 Way","city":"London","postalCode":"N1","country":"GB"},null]}""", "addresses[1]")]
    public async Task A_null_address_is_refused_naming_its_path_and_changes_nothing(string json, string field)
    {
        using var client = await SignedInAsync();
        using var response = await client.PutAsync(new Uri("/api/identity/me", UriKind.Relative), HostileInput.JsonBody(json), Ct);

        await HostileInput.AssertRefusedAsync(response, field);
        var me = await client.GetFromJsonAsync<ProfileResponse>("/api/identity/me", Ct);
        Assert.Equal(("Ada", 0), (me!.Name, me.Addresses.Count));
    }

    [Theory]
    [InlineData("ZZ")]
    [InlineData("XX")]
    [InlineData("EU")]
    public async Task Only_iso_3166_alpha_2_countries_are_accepted_in_addresses(string country)
    {
        using var client = await SignedInAsync();
        using var response = await client.PutAsJsonAsync("/api/identity/me",
            new { name = "Ada", addresses = new[] { new { line1 = "1 Way", city = "London", postalCode = "N1", country } } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<ProfileResponse>("/api/identity/me", Ct))!.Addresses);
    }

    [Theory]
    [InlineData("""{"email":"a@example.test","password":12345678901,"name":"Ada"}""", "password")]
    [InlineData("""{"email":["a@example.test"],"password":"correct-Horse-42","name":"Ada"}""", "email")]
    public async Task Wrong_types_are_a_problem_naming_the_field(string json, string field)
    {
        using var response = await _guest.PostAsync(new Uri("/api/identity/register", UriKind.Relative), HostileInput.JsonBody(json), Ct);
        await HostileInput.AssertRefusedAsync(response, field);
    }

    [Fact]
    public async Task An_expired_token_is_refused_even_where_no_token_is_needed()
    {
        using var expired = _service.CreateClient(TestTokens.Expired(Guid.CreateVersion7()));
        using var response = await expired.PostAsJsonAsync("/api/identity/register", new { email = "late@example.test", password = Password, name = "Ada" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Users.CountAsync(u => u.Email == "late@example.test", Ct));
    }
}
