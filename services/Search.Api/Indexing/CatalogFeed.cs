using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ecommerce.Contracts.Events;

namespace Search.Api.Indexing;

/// <summary>Reads every active product from the catalog's public browse API, a keyset page at a time.</summary>
public sealed class CatalogFeed(HttpClient http)
{
    public const int PageSize = 100;

    public async IAsyncEnumerable<IReadOnlyList<ProductSnapshot>> PagesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var url = $"/api/catalog/products?sort=newest&limit={PageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await http.GetFromJsonAsync(url, CatalogFeedJson.Default.CatalogPage, ct)
                       ?? throw new InvalidOperationException($"The catalog answered {url} with nothing.");
            yield return page.Items;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}

public sealed record CatalogPage(IReadOnlyList<ProductSnapshot> Items, string? NextCursor);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CatalogPage))]
public sealed partial class CatalogFeedJson : JsonSerializerContext;
