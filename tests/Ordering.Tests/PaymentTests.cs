using Ordering.Api.Orders;

namespace Ordering.Tests;

/// <summary>
/// Paying through the real payments service: an order is charged at most once however the requests race, a charge
/// that cannot pay its order is refunded, and the provider's books, the payments and the orders reconcile to zero.
/// </summary>
public sealed class PaymentTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private OrderingHost _host = null!;
    private HttpClient _customer = null!;
    private HttpClient _paymentsAdmin = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(infrastructure);
        var service = _host.Instance(realServer: true);
        _customer = service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));
        using var admin = service.CreateClient(TestTokens.Admin());
        _host.Catalog.Set("LAMP", 40m);
        await OrderingHost.SetStockAsync(admin, "LAMP", "berlin", 1000);
        _paymentsAdmin = _host.Payments.CreateClient(TestTokens.Admin());
    }

    public async ValueTask DisposeAsync()
    {
        _customer.Dispose();
        _paymentsAdmin.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<OrderResponse> PlaceAsync()
    {
        using var response = await OrderingHost.PlaceAsync(_customer, OrderingHost.Order(("LAMP", 1)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<OrderResponse>(Ct))!;
    }

    private async Task<OrderResponse> OrderAsync(Guid id) => (await _customer.GetFromJsonAsync<OrderResponse>($"/api/orders/{id}", Ct))!;

    private async Task<PaymentsOfOrder> PaymentsAsync(Guid id) => (await _paymentsAdmin.GetFromJsonAsync<PaymentsOfOrder>($"/api/payments?orderId={id}", Ct))!;

    private async Task<HttpStatusCode> CancelAsync(Guid id)
    {
        using var response = await _customer.PostAsJsonAsync($"/api/orders/{id}/cancel", new { }, Ct);
        return response.StatusCode;
    }

    /// <summary>Polls (bounded) until both books agree on the order's end state.</summary>
    private async Task<(OrderResponse Order, PaymentsOfOrder Payments)> SettledAsync(Guid id, Func<OrderResponse, PaymentsOfOrder, bool> settled)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (order, payments) = (await OrderAsync(id), await PaymentsAsync(id));
            if (settled(order, payments)) return (order, payments);
            Assert.True(DateTime.UtcNow < deadline, $"order {id} is {order.Status} (refunded {order.RefundedAmount}); payments: {string.Join(", ", payments.Items.Select(p => p.Status))}");
            await Task.Delay(25, Ct);
        }
    }

    private async Task AssertReconciledAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        Reconciliation report;
        while (!(report = (await (await _paymentsAdmin.PostAsync(new Uri("/api/payments/reconcile", UriKind.Relative), null, Ct))
                   .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Reconciliation>(Ct))!).Balanced)
        {
            Assert.True(DateTime.UtcNow < deadline, "reconciliation: " + string.Join("; ", report.Findings.Select(f => $"{f.Kind} {f.OrderId}: {f.Detail}")));
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task Twenty_concurrent_pays_of_one_order_make_exactly_one_charge()
    {
        var order = await PlaceAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => OrderingHost.PayAsync(_customer, order.Id)));

        var statuses = answers.Select(a => a.StatusCode).ToList();
        foreach (var a in answers) a.Dispose();
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{s}"));
        var (paid, payments) = await SettledAsync(order.Id, (o, p) => o.Status == "Paid" && p.OrderStatus == "Paid");
        Assert.Equal(1, payments.ProviderCharges);
        Assert.Equal(paid.PaymentId, Assert.Single(payments.Items).Id.ToString());
        var history = (await _customer.GetFromJsonAsync<List<OrderHistoryEntry>>($"/api/orders/{order.Id}/history", Ct))!;
        Assert.Single(history, h => h.Type == "OrderPaid");
        await AssertReconciledAsync();
    }

    [Fact]
    public async Task Cancel_then_pay_charges_nothing_and_pay_then_cancel_refunds()
    {
        var cancelledFirst = await PlaceAsync();
        Assert.Equal(HttpStatusCode.OK, await CancelAsync(cancelledFirst.Id));
        using (var pay = await OrderingHost.PayAsync(_customer, cancelledFirst.Id)) Assert.Equal(HttpStatusCode.Conflict, pay.StatusCode);
        Assert.Equal(0, (await PaymentsAsync(cancelledFirst.Id)).ProviderCharges);

        var paidFirst = await PlaceAsync();
        using (var pay = await OrderingHost.PayAsync(_customer, paidFirst.Id)) Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await CancelAsync(paidFirst.Id));
        var (order, payments) = await SettledAsync(paidFirst.Id, (o, p) => o.RefundedAmount == 40m && p.Items.All(x => x.Status == "refunded"));
        Assert.Equal("Cancelled", order.Status);
        Assert.Equal(("succeeded", 40m), (Assert.Single(payments.Refunds).Status, payments.Refunds[0].Amount));
        await AssertReconciledAsync();
    }

    [Fact]
    public async Task Pay_racing_cancel_ends_paid_or_cancelled_and_refunded_never_charged_and_unpaid()
    {
        var orders = new List<OrderResponse>();
        for (var i = 0; i < 12; i++) orders.Add(await PlaceAsync());

        // Both orders of arrival: half start the pay first, half the cancel first, each pair at once.
        await Task.WhenAll(orders.Select(async (o, i) =>
        {
            var pay = OrderingHost.PayAsync(_customer, o.Id);
            var cancel = CancelAsync(o.Id);
            if (i % 2 == 0) { (await pay).Dispose(); await cancel; }
            else { await cancel; (await pay).Dispose(); }
        }));

        var outcomes = new List<string>();
        foreach (var o in orders)
        {
            var (order, payments) = await SettledAsync(o.Id, (ord, pay) =>
                (ord.Status == "Paid" && pay.Items.Any(p => p.Status == "succeeded"))
                || (ord.Status == "Cancelled" && pay.Items.All(p => p.Status is "refunded" or "failed") && ord.RefundedAmount == 40m * pay.Items.Count(p => p.Status == "refunded")));
            Assert.True(payments.ProviderCharges <= 1);
            outcomes.Add(order.Status == "Paid" ? "paid" : payments.ProviderCharges == 1 ? "cancelled+refunded" : "cancelled, never charged");
        }

        TestContext.Current.SendDiagnosticMessage("pay racing cancel: " + string.Join(", ", outcomes.GroupBy(x => x).Select(g => $"{g.Count()} {g.Key}")));
        await AssertReconciledAsync();
    }

    [Fact]
    public async Task A_lost_provider_answer_is_retried_under_the_same_key_and_charges_once()
    {
        var order = await PlaceAsync();
        var key = Guid.NewGuid().ToString();

        // The provider charges but its answer is lost: ordering's one quick retry resumes the same attempt.
        using var paid = await OrderingHost.PayAsync(_customer, order.Id, "tok_timeout_once", key);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        using var replay = await OrderingHost.PayAsync(_customer, order.Id, "tok_timeout_once", key);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode); // the replay answers the order as it is: paid
        Assert.Equal("Paid", (await replay.Content.ReadFromJsonAsync<OrderResponse>(Ct))!.Status);
        Assert.Equal(1, (await PaymentsAsync(order.Id)).ProviderCharges);
        using var other = await OrderingHost.PayAsync(_customer, order.Id);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        await AssertReconciledAsync();
    }

    [Fact]
    public async Task A_provider_that_stays_down_is_a_fast_503_with_retry_after_and_charges_nothing()
    {
        var order = await PlaceAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var down = await OrderingHost.PayAsync(_customer, order.Id, "tok_provider_down");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("2", down.Headers.GetValues("Retry-After").Single());
        Assert.Contains("never charged twice", await down.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage($"503 after {clock.ElapsedMilliseconds} ms (one retry included)");
        Assert.Equal(0, (await PaymentsAsync(order.Id)).ProviderCharges);
        Assert.Equal("Placed", (await OrderAsync(order.Id)).Status);
    }

    [Theory]
    [MemberData(nameof(PayFieldClasses))]
    public async Task Hostile_text_in_a_pay_request_is_refused_and_charges_nothing(string field, string inputClass)
    {
        var order = await PlaceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{order.Id}/pay")
        {
            Content = Ecommerce.Testing.Hostile.HostileInput.JsonBody(new { paymentMethod = "@@" }, inputClass),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await _customer.SendAsync(request, Ct);

        await Ecommerce.Testing.Hostile.HostileInput.AssertRefusedAsync(response, field);
        Assert.Empty((await PaymentsAsync(order.Id)).Items);
        Assert.Equal(("Placed", 1), ((await OrderAsync(order.Id)).Status, (await OrderAsync(order.Id)).Version));
    }

    public static TheoryData<string, string> PayFieldClasses() =>
        Ecommerce.Testing.Hostile.HostileInput.Cases(["paymentMethod"], Ecommerce.Testing.Hostile.HostileInput.Json);

    [Theory]
    [MemberData(nameof(CommandPathClasses))]
    public async Task Hostile_order_ids_on_pay_cancel_ship_and_deliver_are_4xx_and_change_nothing(string command, string inputClass)
    {
        var order = await PlaceAsync();
        var id = order.Id.ToString();
        using var admin = _host.Instance(realServer: true).CreateClient(TestTokens.Admin());
        var caller = command is "ship" or "deliver" ? admin : _customer;
        foreach (var path in new[] { Ecommerce.Testing.Hostile.HostileInput.Url(inputClass) + id, id[..8] + Ecommerce.Testing.Hostile.HostileInput.Url(inputClass) + id[8..], id + Ecommerce.Testing.Hostile.HostileInput.Url(inputClass) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{path}/{command}")
            {
                Content = JsonContent.Create(new { paymentMethod = "tok_visa", trackingNumber = "T-1" }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await caller.SendAsync(request, Ct);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{command} {path}: {(int)response.StatusCode}");
        }

        Assert.Equal(("Placed", 1), ((await OrderAsync(order.Id)).Status, (await OrderAsync(order.Id)).Version));
        Assert.Empty((await PaymentsAsync(order.Id)).Items);
    }

    public static TheoryData<string, string> CommandPathClasses() =>
        Ecommerce.Testing.Hostile.HostileInput.Cases(["pay", "cancel", "ship", "deliver"], Ecommerce.Testing.Hostile.HostileInput.InPath);

    [Fact]
    public async Task Bad_pay_requests_are_400_naming_the_field_and_charge_nothing()
    {
        var order = await PlaceAsync();
        foreach (var (method, key, field) in new[] { ("4111111111111111", "k", "paymentMethod"), ("tok_visa\u200B", "k", "paymentMethod"), ("tok_visa", "", "Idempotency-Key") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{order.Id}/pay") { Content = JsonContent.Create(new { paymentMethod = method }) };
            if (key.Length > 0) request.Headers.Add("Idempotency-Key", key);
            using var response = await _customer.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Empty((await PaymentsAsync(order.Id)).Items);
        Assert.Equal("Placed", (await OrderAsync(order.Id)).Status);
    }
}

public sealed record RefundOfOrder(Guid Id, string Status, decimal Amount);

public sealed record PaymentOfOrder(Guid Id, string Status, List<RefundOfOrder> Refunds);

public sealed record PaymentsOfOrder(List<PaymentOfOrder> Items, string? OrderStatus, int? ProviderCharges)
{
    public List<RefundOfOrder> Refunds => Items.SelectMany(p => p.Refunds).ToList();
}

public sealed record ReconciliationFinding(string Kind, Guid? OrderId, string Detail);

public sealed record Reconciliation(bool Balanced, List<ReconciliationFinding> Findings);
