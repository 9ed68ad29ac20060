using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace EndToEnd.Tests.Security;

/// <summary>What the security checks need from the running platform: clients (also from another source IP), products, stock, orders.</summary>
public static class Shop
{
    public static readonly object Address = new { name = "Ada", line1 = "1 Way", city = "London", postalCode = "N1", country = "GB" };

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A client whose connections come from <paramref name="source"/> (any 127.x.y.z is this machine): the gateway's
    /// per-IP limits see another client, as they would another attacker or shopper.
    /// </summary>
    public static HttpClient From(PlatformFixture platform, IPAddress source, string? token = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = platform.Gateway };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>An active product with stock, created by an admin; returns its sku.</summary>
    public static async Task<string> ProductAsync(PlatformFixture platform, decimal price, int stock)
    {
        var sku = "SEC-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var created = await admin.PostAsJsonAsync("/api/catalog/products", new
        {
            sku, name = $"Security Probe {sku}", brand = "Acme", category = "probes", price, currency = "EUR", status = "active",
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var stocked = await admin.PutAsJsonAsync($"/api/inventory/{sku}", new { warehouse = "main", onHand = stock }, Ct);
        Assert.Equal(HttpStatusCode.OK, stocked.StatusCode);
        return sku;
    }

    public static async Task<HttpResponseMessage> OrderAsync(HttpClient customer, object body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await customer.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
}
