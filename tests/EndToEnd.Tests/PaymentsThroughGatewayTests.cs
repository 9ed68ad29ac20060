using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Tests.Security;

namespace EndToEnd.Tests;

/// <summary>Paying and refunding through the public entry, every service real: ordering → payments, events back.</summary>
public sealed class PaymentsThroughGatewayTests(PlatformFixture platform)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> PayAsync(HttpClient customer, Guid orderId, string method, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/pay") { Content = JsonContent.Create(new { paymentMethod = method }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await customer.SendAsync(request, Ct);
    }

    private static async Task<JsonElement> UntilAsync(HttpClient client, string path, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var body = await client.GetFromJsonAsync<JsonElement>(path, Ct);
            if (done(body)) return body;
            Assert.True(DateTime.UtcNow < deadline, $"still waiting for {what}: {body}");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task A_shopper_pays_a_declined_card_then_a_good_one_cancels_and_is_refunded()
    {
        var sku = await Shop.ProductAsync(platform, 30m, 10);
        var customerId = Guid.CreateVersion7();
        using var customer = platform.CreateClient(TestTokens.Customer(customerId));
        using var admin = platform.CreateClient(TestTokens.Admin());
        using var placed = await Shop.OrderAsync(customer, new { lines = new[] { new { sku, quantity = 2 } }, shippingAddress = Shop.Address });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var orderId = (await Shop.JsonAsync(placed)).GetProperty("id").GetGuid();

        using (var declined = await PayAsync(customer, orderId, "tok_declined")) Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        using (var paid = await PayAsync(customer, orderId, "tok_visa"))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
            Assert.Equal("Paid", (await Shop.JsonAsync(paid)).GetProperty("status").GetString());
        }

        var mine = await customer.GetFromJsonAsync<JsonElement>($"/api/payments?orderId={orderId}", Ct);
        Assert.Equal(["failed", "succeeded"], mine.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("status").GetString()));
        using var stranger = platform.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        Assert.Empty((await stranger.GetFromJsonAsync<JsonElement>($"/api/payments?orderId={orderId}", Ct)).GetProperty("items").EnumerateArray());
        using var forged = await customer.PostAsJsonAsync("/api/payments/charges", new { orderId, customerId, amount = 0.01m, currency = "EUR", paymentMethod = "tok_visa", attemptKey = "x" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode); // charges come from ordering, with the order's own total

        using (var cancel = await customer.PostAsJsonAsync($"/api/orders/{orderId}/cancel", new { }, Ct)) Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        // OrderCancelled → payments refunds → PaymentRefunded → ordering records it on the order.
        var order = await UntilAsync(customer, $"/api/orders/{orderId}", o => o.GetProperty("refundedAmount").GetDecimal() == 60m, "the refund on the order");
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        var payments = await UntilAsync(admin, $"/api/payments?orderId={orderId}", p => p.GetProperty("items")[1].GetProperty("status").GetString() == "refunded", "the refunded payment");
        Assert.Equal(1, payments.GetProperty("providerCharges").GetInt32());
        var paymentId = payments.GetProperty("items")[1].GetProperty("id").GetGuid();
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/payments/{paymentId}/audit", Ct);
        Assert.Equal(["pending", "succeeded", "pending", "succeeded", "refunded"],
            audit.EnumerateArray().Select(a => a.GetProperty("newStatus").GetString()));
        var history = await customer.GetFromJsonAsync<JsonElement>($"/api/orders/{orderId}/history", Ct);
        var types = history.EnumerateArray().Select(h => h.GetProperty("type").GetString()!).ToList();
        // The decline is recorded from its event, so it may land before or after OrderPaid; the rest is in order.
        Assert.Equal(["OrderCancelled", "OrderPaid", "OrderPaymentFailed", "OrderPlaced", "OrderRefunded"], types.Order(StringComparer.Ordinal));
        Assert.True(types.IndexOf("OrderPlaced") == 0 && types.IndexOf("OrderPaid") < types.IndexOf("OrderCancelled")
            && types.IndexOf("OrderCancelled") < types.IndexOf("OrderRefunded"), string.Join(", ", types));

        using var reconcile = await admin.PostAsync(new Uri("/api/payments/reconcile", UriKind.Relative), null, Ct);
        Assert.True((await Shop.JsonAsync(reconcile)).GetProperty("balanced").GetBoolean());
    }
}
