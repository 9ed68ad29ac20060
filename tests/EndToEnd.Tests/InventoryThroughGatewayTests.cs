using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests;

/// <summary>Stock through the public entry: the gateway forwards to ordering-api, which enforces roles with the platform's key.</summary>
public sealed class InventoryThroughGatewayTests(PlatformFixture platform)
{
    private sealed record Inventory(string Sku, int OnHand, int Reserved, int Available);

    [Fact]
    public async Task An_admin_sets_stock_and_a_guest_reads_it_but_cannot_set_it()
    {
        var sku = "E2E-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var guest = platform.CreateClient();

        using var set = await admin.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse = "main", onHand = 12 }, TestContext.Current.CancellationToken);
        using var refused = await guest.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse = "main", onHand = 1 }, TestContext.Current.CancellationToken);
        var stock = await guest.GetFromJsonAsync<Inventory>($"/api/inventory/{sku}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(new Inventory(sku, 12, 0, 12), stock);
    }
}
