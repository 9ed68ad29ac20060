using System.Net;
using System.Net.Http.Json;
using EndToEnd.Tests.Security;

namespace EndToEnd.Tests;

/// <summary>
/// One order is one trace, from the request at the gateway through ordering's outbox to every service that consumes its
/// events (docs/events.md): what a developer follows on the dashboard's Traces page, checked from the spans every
/// process exported.
/// </summary>
public sealed class EventTraceTests(PlatformFixture platform)
{
    private const int Server = 2, Producer = 4, Consumer = 5; // OTLP SpanKind

    [Fact]
    public async Task A_checkout_is_one_trace_from_the_gateway_through_the_outbox_to_cart_search_and_payments()
    {
        var ct = TestContext.Current.CancellationToken;
        var sku = await Shop.ProductAsync(platform, 12m, 10);
        using var customer = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var newCart = await customer.PostAsync(new Uri("/api/carts", UriKind.Relative), null, ct);
        var cartId = (await Shop.JsonAsync(newCart)).GetProperty("id").GetString();
        (await customer.PostAsJsonAsync($"/api/carts/{cartId}/items", new { sku, quantity = 1 }, ct)).EnsureSuccessStatusCode();

        // The client starts the trace (W3C traceparent, sampled), so this order's spans are told apart from every other test's.
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new { cartId, shippingAddress = Shop.Address }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");
        using var placed = await customer.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        bool Has(string service, int kind, string nameStarts) => platform.Telemetry.Spans.Any(s => s.TraceId == traceId
            && s.Service == service && s.Kind == kind && s.Name.StartsWith(nameStarts, StringComparison.Ordinal));
        (string Service, int Kind, string Name)[] expected =
        [
            ("gateway", Server, "POST"),
            ("ordering-api", Server, "POST /api/orders"),
            ("ordering-api", Producer, "publish events:ordering"),
            ("cart-api", Consumer, "process events:ordering"),
            ("search-api", Consumer, "process events:ordering"),
            ("payments-api", Consumer, "process events:ordering"),
        ];
        var deadline = DateTime.UtcNow.AddSeconds(30); // exporters send every second; consumers react within one
        while (!expected.All(e => Has(e.Service, e.Kind, e.Name)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, ct);
        }

        var trace = platform.Telemetry.Spans.Where(s => s.TraceId == traceId).ToList();
        var missing = expected.Where(e => !Has(e.Service, e.Kind, e.Name)).Select(e => $"{e.Service} {e.Name}").ToList();
        Assert.True(missing.Count == 0, $"missing from trace {traceId}: {string.Join(", ", missing)}; it holds: "
            + string.Join(", ", trace.Select(s => $"{s.Service}:{s.Name}")));
        // One tree: every span but the client's own root hangs from a span of the same trace.
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var orphans = trace.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).ToList();
        Assert.All(orphans, s => Assert.Equal("gateway", s.Service));
    }
}
