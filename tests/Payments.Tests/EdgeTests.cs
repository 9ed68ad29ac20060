namespace Payments.Tests;

/// <summary>Who may call what, and bad input: a 4xx problem naming the field, and nothing stored.</summary>
public sealed class EdgeTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private PaymentsHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await PaymentsHost.StartAsync(infrastructure);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Only_a_service_token_may_charge_and_only_an_admin_may_read()
    {
        var orderId = Guid.CreateVersion7();
        using var anonymous = _host.Service.CreateClient(bearerToken: null);
        using var customer = _host.Service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        using var byAnonymous = await anonymous.PostAsJsonAsync("/api/payments/charges", PaymentsHost.Charge(orderId, "k"), Ct);
        using var byCustomer = await customer.PostAsJsonAsync("/api/payments/charges", PaymentsHost.Charge(orderId, "k", amount: 0.01m), Ct);
        using var byAdmin = await _host.Admin.PostAsJsonAsync("/api/payments/charges", PaymentsHost.Charge(orderId, "k"), Ct);
        using var auditByCustomer = await customer.GetAsync(new Uri($"/api/payments/{Guid.CreateVersion7()}/audit", UriKind.Relative), Ct);
        using var reconcileByService = await _host.Ordering.PostAsync(new Uri("/api/payments/reconcile", UriKind.Relative), null, Ct);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            [byAnonymous.StatusCode, byCustomer.StatusCode, byAdmin.StatusCode, auditByCustomer.StatusCode, reconcileByService.StatusCode]);
        Assert.Equal(0, await _host.ProviderChargesAsync());
    }

    [Fact]
    public async Task A_customer_sees_the_payments_of_their_own_orders_only()
    {
        var alice = Guid.CreateVersion7();
        var orderId = Guid.CreateVersion7();
        (await _host.Ordering.PostAsJsonAsync("/api/payments/charges", PaymentsHost.Charge(orderId, "k", customerId: alice), Ct)).EnsureSuccessStatusCode();
        using var aliceClient = _host.Service.CreateClient(TestTokens.Customer(alice));
        using var mallory = _host.Service.CreateClient(TestTokens.Customer(Guid.CreateVersion7()));

        var own = (await aliceClient.GetFromJsonAsync<PaymentList>($"/api/payments?orderId={orderId}", Ct))!;
        var foreign = (await mallory.GetFromJsonAsync<PaymentList>($"/api/payments?orderId={orderId}", Ct))!;
        using var noOrder = await aliceClient.GetAsync(new Uri("/api/payments", UriKind.Relative), Ct);

        Assert.Equal("succeeded", Assert.Single(own.Items).Status);
        Assert.Null(own.ProviderCharges); // the provider's books are for admins
        Assert.Empty(foreign.Items);
        Assert.Equal(HttpStatusCode.BadRequest, noOrder.StatusCode);
    }

    public static TheoryData<string, string> BadCharges() => new()
    {
        { "orderId", """{"orderId":"00000000-0000-0000-0000-000000000000","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1,"currency":"EUR","paymentMethod":"tok_visa","attemptKey":"k"}""" },
        { "customerId", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","amount":1,"currency":"EUR","paymentMethod":"tok_visa","attemptKey":"k"}""" },
        { "amount", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":-5,"currency":"EUR","paymentMethod":"tok_visa","attemptKey":"k"}""" },
        { "amount", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1.005,"currency":"EUR","paymentMethod":"tok_visa","attemptKey":"k"}""" },
        { "amount", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":"10","currency":"EUR","paymentMethod":"tok_visa","attemptKey":"k"}""" },
        { "currency", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1,"currency":"eur","paymentMethod":"tok_visa","attemptKey":"k"}""" },
        { "paymentMethod", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1,"currency":"EUR","paymentMethod":"4111111111111111","attemptKey":"k"}""" },
        { "paymentMethod", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1,"currency":"EUR","paymentMethod":"tok_VISA","attemptKey":"k"}""" },
        { "attemptKey", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1,"currency":"EUR","paymentMethod":"tok_visa","attemptKey":"a\u200Bb"}""" },
        { "attemptKey", """{"orderId":"0193a3c5-0000-7000-8000-000000000002","customerId":"0193a3c5-0000-7000-8000-000000000001","amount":1,"currency":"EUR","paymentMethod":"tok_visa","attemptKey":" "}""" },
    };

    [Theory]
    [MemberData(nameof(BadCharges))]
    public async Task A_bad_charge_is_a_400_naming_the_field_and_nothing_is_stored(string field, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _host.Ordering.PostAsync(new Uri("/api/payments/charges", UriKind.Relative), content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await _host.QueryAsync(db => Task.FromResult(db.Payments.Count())));
        Assert.Equal(0, await _host.ProviderChargesAsync());
    }

    [Theory]
    [MemberData(nameof(HostileClasses))]
    public async Task Hostile_text_in_any_charge_field_is_refused_and_nothing_is_stored(string field, string inputClass)
    {
        var body = new Dictionary<string, object?>
        {
            ["orderId"] = "0193a3c5-0000-7000-8000-000000000002", ["customerId"] = "0193a3c5-0000-7000-8000-000000000001", ["amount"] = 1,
            ["currency"] = "EUR", ["paymentMethod"] = "tok_visa", ["attemptKey"] = "k",
        };
        body[field] = Ecommerce.Testing.Hostile.HostileInput.Text(inputClass);
        using var response = await _host.Ordering.PostAsJsonAsync("/api/payments/charges", body, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}/{inputClass}: {response.StatusCode}");
        Assert.Equal(0, await _host.ProviderChargesAsync());
    }

    public static TheoryData<string, string> HostileClasses() =>
        Ecommerce.Testing.Hostile.HostileInput.Cases(["currency", "paymentMethod", "attemptKey"], Ecommerce.Testing.Hostile.HostileInput.Identifier);
}
