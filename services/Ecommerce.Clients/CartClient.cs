using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Ecommerce.Clients;

public sealed record CartItem(string Sku, int Quantity);

public interface ICartClient
{
    /// <summary>The cart's lines as its owner sees them, or null when the caller may not see it (or it does not exist).</summary>
    Task<IReadOnlyList<CartItem>?> GetItemsAsync(string cartId, string? bearerToken, CancellationToken cancellationToken);
}

/// <summary>
/// Reads a cart's unpriced lines from the cart service (<c>http://cart-api</c>) on behalf of the caller: the caller's own
/// token is forwarded, so the cart service's ownership rules decide, not this client.
/// </summary>
public sealed class HttpCartClient(HttpClient http) : ICartClient
{
    public async Task<IReadOnlyList<CartItem>?> GetItemsAsync(string cartId, string? bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/carts/{Uri.EscapeDataString(cartId)}/lines");
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var cart = await response.Content.ReadFromJsonAsync<CartBody>(cancellationToken);
        return cart?.Lines.Select(l => new CartItem(l.Sku, l.Quantity)).ToList() ?? [];
    }

    private sealed record CartBody(List<CartLine> Lines);

    private sealed record CartLine(string Sku, int Quantity);
}
