using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Search fed by the real catalog through the real event stream, asked through the gateway.</summary>
public sealed class SearchThroughGatewayTests(PlatformFixture platform)
{
    private sealed record Hit(Guid Id, string Sku, string Name, string Highlight);

    private sealed record Result(long Total, List<Hit> Items);

    private sealed record Product(Guid Id, string Sku, long Version);

    private sealed record Status(string State, long Indexed);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<TimeSpan> UntilAsync(HttpClient client, string query, Func<Result, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var result = await client.GetFromJsonAsync<Result>($"/api/search?{query}", Ct);
            if (done(result!)) return clock.Elapsed;
            await Task.Delay(10, Ct);
        }

        Assert.Fail($"Search never satisfied the condition for '{query}'.");
        return default;
    }

    private static string Word(int n) => "zq" + string.Concat(n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture).Select(c => (char)('a' + c - '0')));

    [Fact]
    public async Task A_product_written_in_the_catalog_is_found_updated_and_removed_in_search_and_the_delay_is_measured()
    {
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var guest = platform.CreateClient();
        var sku = "E2E-SEARCH-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var body = new Dictionary<string, object>
        {
            ["sku"] = sku, ["name"] = $"Searchable Lamp {Word(0)}", ["brand"] = "Lumo", ["category"] = "lamps", ["price"] = 30m, ["currency"] = "EUR",
            ["status"] = "active",
        };
        using var created = await admin.PostAsJsonAsync("/api/catalog/products", body, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var product = (await created.Content.ReadFromJsonAsync<Product>(Ct))!;
        await UntilAsync(guest, $"q={Word(0)}", r => r.Total == 1 && r.Items[0].Sku == sku);

        // 100 renames, each timed from the catalog's 200 to the first search that finds the new name.
        var delays = new List<double>();
        var version = product.Version;
        for (var i = 1; i <= 100; i++)
        {
            body["name"] = $"Searchable Lamp {Word(i)}";
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/catalog/products/{product.Id}") { Content = JsonContent.Create(body) };
            put.Headers.TryAddWithoutValidation("If-Match", $"\"v{version}\"");
            using var updated = await admin.SendAsync(put, Ct);
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
            version++;
            // The name, not the count: typo tolerance would match the previous name, one letter away.
            var expected = (string)body["name"];
            delays.Add((await UntilAsync(guest, $"q={Word(i)}", r => r.Items.Any(h => h.Name == expected))).TotalMilliseconds);
        }

        delays.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Catalog update → searchable through the gateway, 100 updates: p50 {delays[49]:F0} ms, p99 {delays[98]:F0} ms, max {delays[99]:F0} ms");
        Assert.DoesNotContain((await guest.GetFromJsonAsync<Result>($"/api/search?q={Word(0)}", Ct))!.Items, h => h.Name.EndsWith(Word(0), StringComparison.Ordinal));

        var suggestions = await guest.GetFromJsonAsync<JsonElement>("/api/search/suggest?q=searchable%20la", Ct);
        Assert.Contains(suggestions.GetProperty("items").EnumerateArray(), s => s.GetString() == $"Searchable Lamp {Word(100)}");

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/catalog/products/{product.Id}");
        using var deleted = await admin.SendAsync(delete, Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await UntilAsync(guest, $"q={Word(100)}", r => r.Total == 0);
    }

    [Fact]
    public async Task An_admin_reindex_rebuilds_from_the_catalog_while_search_keeps_answering()
    {
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var guest = platform.CreateClient();
        // The demo catalog (60 products, seeded without events) was indexed by the start-up rebuild.
        await UntilAsync(guest, "pageSize=1", r => r.Total >= 60);

        using var started = await admin.PostAsync(new Uri("/api/search/reindex", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var clock = Stopwatch.StartNew();
        Status? status;
        do
        {
            using var during = await guest.GetAsync(new Uri("/api/search?q=coffee", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
            status = await admin.GetFromJsonAsync<Status>("/api/search/reindex", Ct);
        }
        while (status!.State == "running" && clock.Elapsed < TimeSpan.FromSeconds(60));

        Assert.Equal("done", status.State);
        Assert.True((await guest.GetFromJsonAsync<Result>("/api/search?pageSize=1", Ct))!.Total >= 60);
    }
}
