using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ecommerce.Authentication;

namespace EndToEnd.Tests.Security;

/// <summary>
/// OWASP API2:2023 — broken authentication: forged or stale tokens, account enumeration, refresh-token theft,
/// credential stuffing. Each test signs in from its own loopback address, so the per-IP throttle of one test
/// (and the brute-force test's exhaustion of it) never touches another.
/// </summary>
public sealed class Api2BrokenAuthenticationTests(PlatformFixture platform)
{
    private sealed record Tokens(string AccessToken, int ExpiresIn, string RefreshToken);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    /// <summary>The customer's token with the role changed to admin in the payload, signature left as it was.</summary>
    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject();
        foreach (var key in payload.Select(p => p.Key).Where(k => k.Contains("role", StringComparison.OrdinalIgnoreCase)).ToList()) payload[key] = "admin";
        return $"{parts[0]}.{Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";
    }

    private static string AlgNone(string token)
    {
        var parts = token.Split('.');
        return $"{Base64Url("""{"alg":"none","typ":"JWT"}"""u8.ToArray())}.{parts[1]}.";
    }

    private static string OtherIssuer(Guid user, string? key = null, string issuer = "polyglot-commerce") =>
        new TokenIssuer(new JwtOptions { SigningKey = key ?? TestTokens.SigningKey, Issuer = issuer, Audience = "polyglot-commerce" }, TimeProvider.System)
            .CreateAccessToken(user, "forged@example.test", Roles.Admin);

    private static IPAddress Source(int n) => IPAddress.Parse($"127.0.2.{n}");

    private async Task<(string Email, Tokens Tokens)> RegisterAndSignInAsync(IPAddress source)
    {
        using var client = Shop.From(platform, source);
        var email = $"sec-{Guid.NewGuid():N}@shop.test";
        (await client.PostAsJsonAsync("/api/identity/register", new { email, password = "Str0ng-enough-pw", name = "Sec" }, Shop.Ct)).EnsureSuccessStatusCode();
        using var signIn = await client.PostAsJsonAsync("/api/identity/token", new { email, password = "Str0ng-enough-pw" }, Shop.Ct);
        signIn.EnsureSuccessStatusCode();
        return (email, (await signIn.Content.ReadFromJsonAsync<Tokens>(Shop.Ct))!);
    }

    [Fact]
    public async Task Missing_expired_tampered_unsigned_foreign_key_and_wrong_issuer_tokens_are_401()
    {
        var user = Guid.CreateVersion7();
        var valid = TestTokens.Customer(user);
        string?[] tokens = [null, TestTokens.Expired(user), Tampered(valid), AlgNone(valid), OtherIssuer(user, key: "another-key-that-is-long-enough-for-hmac-sha256"),
            OtherIssuer(user, issuer: "evil-issuer"), "not-a-jwt"];

        foreach (var token in tokens)
        {
            using var client = platform.CreateClient(token);
            using var orders = await client.GetAsync(new Uri("/api/orders", UriKind.Relative), Shop.Ct);
            using var admin = await client.PutAsJsonAsync("/api/inventory/ANY-SKU", new { warehouse = "main", onHand = 1 }, Shop.Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, orders.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        }

        using var genuine = platform.CreateClient(valid);
        Assert.Equal(HttpStatusCode.OK, (await genuine.GetAsync(new Uri("/api/orders", UriKind.Relative), Shop.Ct)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_answer()
    {
        var (email, _) = await RegisterAndSignInAsync(Source(1));
        using var client = Shop.From(platform, Source(1));

        using var wrongPassword = await client.PostAsJsonAsync("/api/identity/token", new { email, password = "Wrong-password-1" }, Shop.Ct);
        using var unknownEmail = await client.PostAsJsonAsync("/api/identity/token", new { email = "nobody-" + email, password = "Wrong-password-1" }, Shop.Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (wrongPassword.StatusCode, unknownEmail.StatusCode));
        // Identical but for the trace id: nothing tells an attacker whether the account exists.
        async Task<string> Body(HttpResponseMessage r)
        {
            var problem = JsonNode.Parse(await r.Content.ReadAsStringAsync(Shop.Ct))!.AsObject();
            problem.Remove("traceId");
            return problem.ToJsonString();
        }

        Assert.Equal(await Body(wrongPassword), await Body(unknownEmail));
    }

    [Fact]
    public async Task A_replayed_refresh_token_is_refused_and_revokes_its_whole_family_and_logout_revokes()
    {
        var (_, first) = await RegisterAndSignInAsync(Source(2));
        using var client = Shop.From(platform, Source(2));

        using var rotated = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = first.RefreshToken }, Shop.Ct);
        var second = (await rotated.Content.ReadFromJsonAsync<Tokens>(Shop.Ct))!;
        using var replay = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = first.RefreshToken }, Shop.Ct);
        using var afterTheft = await client.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = second.RefreshToken }, Shop.Ct);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterTheft.StatusCode); // the family died with the replay

        var (_, other) = await RegisterAndSignInAsync(Source(3));
        using var fromThree = Shop.From(platform, Source(3));
        using var signedIn = platform.CreateClient(other.AccessToken);
        using var ordersBefore = await signedIn.GetAsync(new Uri("/api/orders", UriKind.Relative), Shop.Ct);
        using var logout = await fromThree.PostAsJsonAsync("/api/identity/logout", new { refreshToken = other.RefreshToken }, Shop.Ct);
        using var afterLogout = await fromThree.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = other.RefreshToken }, Shop.Ct);
        // The access token is refused at once by every service (ordering, identity), not only at its expiry.
        using var ordersAfter = await signedIn.GetAsync(new Uri("/api/orders", UriKind.Relative), Shop.Ct);
        using var profileAfter = await signedIn.GetAsync(new Uri("/api/identity/me", UriKind.Relative), Shop.Ct);
        Assert.Equal(HttpStatusCode.OK, ordersBefore.StatusCode);
        Assert.True(logout.IsSuccessStatusCode, $"logout: {logout.StatusCode}");
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, ordersAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, profileAfter.StatusCode);
    }

    /// <summary>Credential stuffing from one address: measured, then checked that the limit holds and only binds that address.</summary>
    [Fact]
    public async Task Sign_in_brute_force_from_one_address_is_throttled_and_other_addresses_are_not()
    {
        using var attacker = Shop.From(platform, Source(66));
        var clock = Stopwatch.StartNew();
        var allowed = 0;
        HttpResponseMessage? throttled = null;
        for (var attempt = 1; attempt <= 50 && throttled is null; attempt++)
        {
            var response = await attacker.PostAsJsonAsync("/api/identity/token", new { email = "victim@shop.test", password = $"guess-{attempt}" }, Shop.Ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) throttled = response;
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                allowed++;
                response.Dispose();
            }
        }

        using var bystander = Shop.From(platform, Source(67));
        using var unaffected = await bystander.PostAsJsonAsync("/api/identity/token", new { email = "victim@shop.test", password = "guess" }, Shop.Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Brute force from one IP: {allowed} sign-in attempts allowed, then 429 (Retry-After {throttled?.Headers.RetryAfter?.Delta?.TotalSeconds} s) after {clock.ElapsedMilliseconds} ms");

        Assert.NotNull(throttled);
        Assert.Equal(10, allowed); // Gateway:SignInPerMinute, per client address, fixed one-minute window
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
        Assert.InRange(throttled.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal(HttpStatusCode.Unauthorized, unaffected.StatusCode);
        throttled.Dispose();
    }

    [Fact]
    public async Task Credential_stuffing_spread_over_addresses_is_capped_per_account()
    {
        // Three addresses, each under the gateway's per-address limit (10/min): 30 guesses at one account.
        var answers = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        foreach (var source in new[] { Source(68), Source(69), Source(70) })
        {
            using var client = Shop.From(platform, source);
            for (var i = 0; i < 10; i++)
            {
                var response = await client.PostAsJsonAsync("/api/identity/token", new { email = "stuffed@shop.test", password = $"leaked-{source}-{i}" }, Shop.Ct);
                answers.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && refused is null) refused = response;
                else response.Dispose();
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Spread over 3 addresses: {answers.Count(a => a == HttpStatusCode.Unauthorized)} guesses checked, then 429 (Retry-After {refused?.Headers.RetryAfter?.Delta?.TotalSeconds} s)");
        // Identity:SignInFailuresPerAccount (20 per 15 minutes by default), counted whatever the address.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 20).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 10)), answers);
        Assert.NotNull(refused);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 900);
        refused.Dispose();
    }
}
