using Npgsql;

namespace Payments.Tests;

/// <summary>Exactly-once charging: what the provider's own ledger shows, however the requests arrive.</summary>
public sealed class ChargeTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private PaymentsHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await PaymentsHost.StartAsync(infrastructure, realServer: true);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Body)> ChargeAsync(object request)
    {
        using var response = await _host.Ordering.PostAsJsonAsync("/api/payments/charges", request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private Task<PaymentList?> ForOrderAsync(Guid orderId) => _host.Admin.GetFromJsonAsync<PaymentList>($"/api/payments?orderId={orderId}", Ct);

    [Fact]
    public async Task Twenty_concurrent_charges_of_one_order_charge_it_once()
    {
        var orderId = Guid.CreateVersion7();
        // Half repeat one key (a client retrying), half bring their own (several tabs, several clients).
        var requests = Enumerable.Range(0, 20).Select(i => PaymentsHost.Charge(orderId, i % 2 == 0 ? "same-key" : $"key-{i}")).ToList();

        var answers = await Task.WhenAll(requests.Select(ChargeAsync));

        Assert.Equal(1, await _host.ProviderChargesAsync());
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{a.Status}: {a.Body}"));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.OK);
        var payments = (await ForOrderAsync(orderId))!;
        Assert.Equal("succeeded", Assert.Single(payments.Items).Status);
        Assert.Equal(1, payments.ProviderCharges);
        TestContext.Current.SendDiagnosticMessage($"20 concurrent charges: {answers.Count(a => a.Status == HttpStatusCode.OK)} × 200, {answers.Count(a => a.Status == HttpStatusCode.Conflict)} × 409, 1 provider charge");
    }

    [Fact]
    public async Task A_repeated_key_answers_what_happened_and_another_key_is_refused_once_charged()
    {
        var orderId = Guid.CreateVersion7();
        var first = await ChargeAsync(PaymentsHost.Charge(orderId, "k1"));
        var replay = await ChargeAsync(PaymentsHost.Charge(orderId, "k1"));
        var other = await ChargeAsync(PaymentsHost.Charge(orderId, "k2"));
        var reused = await ChargeAsync(PaymentsHost.Charge(orderId, "k1", method: "tok_mastercard"));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal(first.Body, replay.Body);
        Assert.Equal(HttpStatusCode.Conflict, other.Status);
        Assert.Contains("already-charged", other.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.Status);
        Assert.Equal(1, await _host.ProviderChargesAsync());
    }

    [Fact]
    public async Task A_timeout_then_a_retry_with_the_same_key_charges_once()
    {
        var orderId = Guid.CreateVersion7();

        var lost = await ChargeAsync(PaymentsHost.Charge(orderId, "k", "tok_timeout_once"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.Status);
        Assert.Contains("retryAfterSeconds", lost.Body, StringComparison.Ordinal);
        Assert.Equal("pending", Assert.Single((await ForOrderAsync(orderId))!.Items).Status);
        Assert.Equal(1, await _host.ProviderChargesAsync()); // the provider did charge: only its answer was lost

        var retried = await ChargeAsync(PaymentsHost.Charge(orderId, "k", "tok_timeout_once"));

        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.Equal("succeeded", Assert.Single((await ForOrderAsync(orderId))!.Items).Status);
        Assert.Equal(1, await _host.ProviderChargesAsync());
    }

    [Fact]
    public async Task A_lost_answer_nobody_retries_is_settled_by_recovery_from_the_providers_books()
    {
        var charged = Guid.CreateVersion7();
        var never = Guid.CreateVersion7();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ChargeAsync(PaymentsHost.Charge(charged, "k", "tok_timeout_once"))).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ChargeAsync(PaymentsHost.Charge(never, "k", "tok_provider_down"))).Status);

        Assert.True(await _host.RecoverAsync() >= 2);

        Assert.Equal("succeeded", Assert.Single((await ForOrderAsync(charged))!.Items).Status);
        var failed = Assert.Single((await ForOrderAsync(never))!.Items);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("never took", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, await _host.ProviderChargesAsync());
        // A failed attempt leaves the order payable.
        Assert.Equal(HttpStatusCode.OK, (await ChargeAsync(PaymentsHost.Charge(never, "k2"))).Status);
    }

    [Fact]
    public async Task A_declined_card_is_402_charges_nothing_and_the_order_stays_payable()
    {
        var orderId = Guid.CreateVersion7();

        var declined = await ChargeAsync(PaymentsHost.Charge(orderId, "k1", "tok_declined"));

        Assert.Equal(HttpStatusCode.PaymentRequired, declined.Status);
        Assert.Contains("declined", declined.Body, StringComparison.Ordinal);
        Assert.Equal(0, await _host.ProviderChargesAsync());
        Assert.Equal(HttpStatusCode.PaymentRequired, (await ChargeAsync(PaymentsHost.Charge(orderId, "k1", "tok_declined"))).Status); // the replay
        Assert.Equal(HttpStatusCode.OK, (await ChargeAsync(PaymentsHost.Charge(orderId, "k2", "tok_visa"))).Status);
        Assert.Equal(["failed", "succeeded"], (await ForOrderAsync(orderId))!.Items.Select(p => p.Status));
    }

    [Fact]
    public async Task Every_status_change_is_audited_and_the_database_refuses_to_change_the_audit_log()
    {
        var orderId = Guid.CreateVersion7();
        await ChargeAsync(PaymentsHost.Charge(orderId, "k1", "tok_declined"));
        await ChargeAsync(PaymentsHost.Charge(orderId, "k2"));

        var payments = (await ForOrderAsync(orderId))!.Items;
        var audit = new List<AuditRow>();
        foreach (var payment in payments) audit.AddRange((await _host.Admin.GetFromJsonAsync<List<AuditRow>>($"/api/payments/{payment.Id}/audit", Ct))!);
        Assert.Equal([(null, "pending"), ("pending", "failed"), (null, "pending"), ("pending", "succeeded")],
            audit.Select(a => (a.OldStatus, a.NewStatus)));
        Assert.All(audit, a => Assert.Equal("service:ordering-api@services.polyglot.local", a.Actor));
        using var unknown = await _host.Admin.GetAsync(new Uri($"/api/payments/{Guid.CreateVersion7()}/audit", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        await using var connection = new NpgsqlConnection(_host.Database);
        await connection.OpenAsync(Ct);
        foreach (var sql in new[] { "UPDATE payment_audit SET reason = 'forged'", "DELETE FROM payment_audit", "TRUNCATE payment_audit" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Ct));
            Assert.Equal("42501", refused.SqlState);
        }

        Assert.Equal(2, (await _host.Admin.GetFromJsonAsync<List<AuditRow>>($"/api/payments/{payments[0].Id}/audit", Ct))!.Count);
    }
}
