using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Accounts through the gateway: a token from the identity service opens the other services.</summary>
public sealed class IdentityThroughGatewayTests(PlatformFixture platform)
{
    private sealed record Tokens(string AccessToken, int ExpiresIn, string RefreshToken);

    [Fact]
    public async Task A_registered_customer_signs_in_and_the_token_works_across_services()
    {
        var ct = TestContext.Current.CancellationToken;
        using var guest = platform.CreateClient();
        var email = $"e2e-{Guid.NewGuid():N}@shop.test";

        using var registered = await guest.PostAsJsonAsync("/api/identity/register", new { email, password = "Str0ng-enough-pw", name = "E2E" }, ct);
        using var signIn = await guest.PostAsJsonAsync("/api/identity/token", new { email, password = "Str0ng-enough-pw" }, ct);
        var tokens = await signIn.Content.ReadFromJsonAsync<Tokens>(ct);
        using var customer = platform.CreateClient(tokens!.AccessToken);
        var me = await customer.GetFromJsonAsync<JsonElement>("/api/identity/me", ct);
        var orders = await customer.GetFromJsonAsync<JsonElement>("/api/orders", ct);
        using var adminOnly = await customer.PutAsJsonAsync("/api/inventory/ANY", new { warehouse = "main", onHand = 1 }, ct);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(0, orders.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, adminOnly.StatusCode);
    }
}
