using System.Text.Json;
using Ecommerce.Authentication;
using Identity.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Identity.Tests;

public sealed class AccountTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string Password = "correct-Horse-42";
    private ServiceFactory<Program> _service = null!;
    private string _database = "";
    private string _redis = "";

    public async ValueTask InitializeAsync()
    {
        _database = await infrastructure.CreateDatabaseAsync("identity");
        _redis = await infrastructure.CreateRedisDatabaseAsync();
        _service = new ServiceFactory<Program>(Settings());
    }

    private Dictionary<string, string?> Settings(int failuresPerAccount = 20) => new()
    {
        ["ConnectionStrings:identitydb"] = _database,
        ["ConnectionStrings:redis"] = _redis,
        ["Identity:Admin:Email"] = "admin@shop.test",
        ["Identity:Admin:Password"] = "Sup3r-Secret-Key!",
        ["Identity:SignInFailuresPerAccount"] = failuresPerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    private async Task<int> UsersAsync()
    {
        await using var db = new IdentityDb(new DbContextOptionsBuilder<IdentityDb>().UseNpgsql(_database).Options);
        return await db.Users.CountAsync();
    }

    private async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email, string password = Password, string name = "Ada") =>
        await client.PostAsJsonAsync("/api/identity/register", new { email, password, name });

    private async Task<TokenResponse> SignInAsync(HttpClient client, string email, string password = Password)
    {
        using var response = await client.PostAsJsonAsync("/api/identity/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    [Fact]
    public async Task Failed_sign_ins_are_capped_per_account_known_or_not_and_a_success_clears_them()
    {
        await using var service = new ServiceFactory<Program>(Settings(failuresPerAccount: 3));
        using var client = service.CreateClient();
        (await RegisterAsync(client, "bob@shop.test")).Dispose();
        (await RegisterAsync(client, "eve@shop.test")).Dispose();
        async Task<HttpResponseMessage> Try(string email, string password) =>
            await client.PostAsJsonAsync("/api/identity/token", new { email, password }, TestContext.Current.CancellationToken);
        async Task<HttpStatusCode> Status(string email, string password)
        {
            using var response = await Try(email, password);
            return response.StatusCode;
        }

        // Two failures, then the right password: the count starts over.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Status("bob@shop.test", "wrong"));
        Assert.Equal(HttpStatusCode.OK, await Status("BOB@shop.test", Password));

        // Three failures: now even the right password is refused, with a problem and Retry-After.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Status("bob@shop.test", "wrong"));
        using var refused = await Try("bob@shop.test", Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 15 * 60);

        // An email without an account behaves the same (no enumeration); another account is untouched.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Status("nobody@shop.test", "wrong"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Status("nobody@shop.test", "wrong"));
        Assert.Equal(HttpStatusCode.OK, await Status("eve@shop.test", Password));
    }

    [Fact]
    public async Task Register_sign_in_and_read_the_profile_with_the_token()
    {
        using var client = _service.CreateClient();

        using var registered = await RegisterAsync(client, "ada@shop.test");
        var tokens = await SignInAsync(client, "ADA@shop.test");
        using var me = _service.CreateClient(tokens.AccessToken);
        var profile = await me.GetFromJsonAsync<ProfileResponse>("/api/identity/me", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(("ada@shop.test", "Ada", Roles.Customer), (profile!.Email, profile.Name, profile.Role));
        Assert.Equal(900, tokens.ExpiresIn);
    }

    [Fact]
    public async Task An_email_is_one_account_whatever_its_case()
    {
        using var client = _service.CreateClient();
        using var first = await RegisterAsync(client, "Grace@Shop.test");

        using var again = await RegisterAsync(client, "grace@SHOP.TEST");

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("not-an-email", Password, "Ada")]
    [InlineData("a@b.test", "short1A", "Ada")]
    [InlineData("a@b.test", "alllowercaseletters", "Ada")]
    [InlineData("margaret@b.test", "Margaret-2024", "Ada")]
    [InlineData("a@b.test", Password, "")]
    [InlineData("a@b.test", Password, null)]
    public async Task Bad_registrations_are_400_problems_and_store_nothing(string email, string password, string? name)
    {
        using var client = _service.CreateClient();
        var before = await UsersAsync();

        using var response = await client.PostAsJsonAsync("/api/identity/register", new { email, password, name }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await UsersAsync());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        using var client = _service.CreateClient();
        await RegisterAsync(client, "bob@shop.test");

        using var wrong = await client.PostAsJsonAsync("/api/identity/token", new { email = "bob@shop.test", password = "Wrong-password-1" }, TestContext.Current.CancellationToken);
        using var unknown = await client.PostAsJsonAsync("/api/identity/token", new { email = "nobody@shop.test", password = "Wrong-password-1" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) is var a && a.Contains("Invalid email or password", StringComparison.Ordinal),
            (await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Contains("Invalid email or password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_revokes_the_family()
    {
        using var client = _service.CreateClient();
        await RegisterAsync(client, "carol@shop.test");
        var first = await SignInAsync(client, "carol@shop.test");

        using var rotated = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = first.RefreshToken }, TestContext.Current.CancellationToken);
        var second = await rotated.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(first.RefreshToken, second!.RefreshToken);

        // An attacker replays the old token: refused, and the legitimate newer one dies with it — access token too.
        using var replay = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = first.RefreshToken }, TestContext.Current.CancellationToken);
        using var afterReplay = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = second.RefreshToken }, TestContext.Current.CancellationToken);
        using var signedIn = _service.CreateClient(second.AccessToken);
        using var me = await signedIn.GetAsync(new Uri("/api/identity/me", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_the_session_and_its_access_tokens_at_once()
    {
        using var client = _service.CreateClient();
        await RegisterAsync(client, "dan@shop.test");
        var tokens = await SignInAsync(client, "dan@shop.test");
        var other = await SignInAsync(client, "dan@shop.test"); // another device
        using var signedIn = _service.CreateClient(tokens.AccessToken);
        using var otherSignedIn = _service.CreateClient(other.AccessToken);
        using var before = await signedIn.GetAsync(new Uri("/api/identity/me", UriKind.Relative), TestContext.Current.CancellationToken);

        using var logout = await client.PostAsJsonAsync("/api/identity/logout", new { refreshToken = tokens.RefreshToken }, TestContext.Current.CancellationToken);
        using var refresh = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = tokens.RefreshToken }, TestContext.Current.CancellationToken);
        using var after = await signedIn.GetAsync(new Uri("/api/identity/me", UriKind.Relative), TestContext.Current.CancellationToken);
        using var otherDeviceMe = await otherSignedIn.GetAsync(new Uri("/api/identity/me", UriKind.Relative), TestContext.Current.CancellationToken);
        using var otherDevice = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = other.RefreshToken }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode); // the access token ended with its session, not at expiry
        Assert.Equal(HttpStatusCode.OK, otherDeviceMe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherDevice.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_problem_answers_of_sign_in()
    {
        using var client = _service.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken));
        var responses = document.RootElement.GetProperty("paths").GetProperty("/api/identity/token").GetProperty("post").GetProperty("responses");

        Assert.True(responses.TryGetProperty("401", out _), responses.ToString());
        Assert.True(responses.TryGetProperty("429", out _), responses.ToString());
    }

    [Fact]
    public async Task The_admin_account_comes_from_configuration()
    {
        using var client = _service.CreateClient();

        var tokens = await SignInAsync(client, "admin@shop.test", "Sup3r-Secret-Key!");
        using var me = _service.CreateClient(tokens.AccessToken);

        Assert.Equal(Roles.Admin, (await me.GetFromJsonAsync<ProfileResponse>("/api/identity/me", TestContext.Current.CancellationToken))!.Role);
    }

    [Fact]
    public async Task A_profile_update_cannot_change_email_role_or_id()
    {
        using var client = _service.CreateClient();
        await RegisterAsync(client, "erin@shop.test");
        var tokens = await SignInAsync(client, "erin@shop.test");
        using var me = _service.CreateClient(tokens.AccessToken);
        var before = await me.GetFromJsonAsync<ProfileResponse>("/api/identity/me", TestContext.Current.CancellationToken);

        using var update = await me.PutAsJsonAsync("/api/identity/me", new
        {
            name = "Erin B.", role = "admin", email = "boss@shop.test", id = Guid.Empty,
            addresses = new[] { new { label = "home", line1 = "1 Main St", city = "Leeds", postalCode = "LS1", country = "GB" } },
        }, TestContext.Current.CancellationToken);
        var after = await update.Content.ReadFromJsonAsync<ProfileResponse>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(("Erin B.", "erin@shop.test", Roles.Customer, before!.Id), (after!.Name, after.Email, after.Role, after.Id));
        Assert.Equal("Leeds", Assert.Single(after.Addresses).City);

        using var bad = await me.PutAsJsonAsync("/api/identity/me", new { name = "", addresses = Array.Empty<object>() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var anonymous = _service.CreateClient();
        using var noToken = await anonymous.GetAsync(new Uri("/api/identity/me", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
    }
}
