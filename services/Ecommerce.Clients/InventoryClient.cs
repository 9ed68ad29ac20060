using System.Net.Http.Json;

namespace Ecommerce.Clients;

public sealed record StockAvailability(string Sku, int Available);

public interface IInventoryClient
{
    /// <summary>Available units per sku; skus with no stock rows are absent.</summary>
    Task<IReadOnlyDictionary<string, int>> GetAvailableAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken);
}

/// <summary>Reads availability from the ordering service (<c>http://ordering-api</c>), which owns inventory.</summary>
public sealed class HttpInventoryClient(HttpClient http) : IInventoryClient
{
    public async Task<IReadOnlyDictionary<string, int>> GetAvailableAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken)
    {
        var query = string.Join(',', skus.Select(Uri.EscapeDataString));
        var rows = await http.GetFromJsonAsync<List<StockAvailability>>($"/api/inventory?skus={query}", cancellationToken) ?? [];
        return rows.ToDictionary(r => r.Sku, r => r.Available, StringComparer.Ordinal);
    }
}
