using Ecommerce.Contracts.Events;
using Npgsql;
using Payments.Api.Reconciliation;

namespace Payments.Tests;

/// <summary>Cancellations refund (heard as ordering's events), and reconciliation finds what does not add up.</summary>
public sealed class RefundAndReconciliationTests(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private PaymentsHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await PaymentsHost.StartAsync(infrastructure);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<HttpStatusCode> ChargeAsync(Guid orderId, string key, string method = "tok_visa")
    {
        using var response = await _host.Ordering.PostAsJsonAsync("/api/payments/charges", PaymentsHost.Charge(orderId, key, method), Ct);
        return response.StatusCode;
    }

    private Task<PaymentList> ForOrderAsync(Guid orderId) => _host.Admin.GetFromJsonAsync<PaymentList>($"/api/payments?orderId={orderId}", Ct)!;

    [Fact]
    public async Task A_paid_order_that_is_cancelled_is_refunded_once_however_often_the_event_comes()
    {
        var orderId = Guid.CreateVersion7();
        await _host.PublishAsync(new OrderPlaced(orderId, Guid.CreateVersion7(), null, [], 42.50m, "EUR"));
        Assert.Equal(HttpStatusCode.OK, await ChargeAsync(orderId, "k"));
        await _host.PublishAsync(new OrderPaid(orderId, 42.50m, "EUR"));

        await _host.PublishAsync(new OrderCancelled(orderId, "cancelled by the customer"));
        await _host.PublishAsync(new OrderCancelled(orderId, "cancelled by the customer"));

        var refunded = await _host.UntilAsync(() => ForOrderAsync(orderId), p => p.Items.Single().Status == "refunded", "the refund");
        var refund = Assert.Single(refunded.Refunds);
        Assert.Equal(("succeeded", 42.50m), (refund.Status, refund.Amount));
        Assert.Contains("cancelled by the customer", refund.Reason, StringComparison.Ordinal);
        Assert.Equal(1, await _host.ProviderRefundsAsync());
        var audit = (await _host.Admin.GetFromJsonAsync<List<AuditRow>>($"/api/payments/{refunded.Items.Single().Id}/audit", Ct))!;
        Assert.Contains(audit, a => a is { Subject: "payment", OldStatus: "succeeded", NewStatus: "refunded", Actor: "event:OrderCancelled" });
        Assert.True((await _host.ReconcileAsync()).Balanced);
    }

    [Fact]
    public async Task A_charge_landing_on_an_order_cancelled_meanwhile_is_refunded_at_once()
    {
        var orderId = Guid.CreateVersion7();
        // The first answer is lost: the attempt is Pending (charged at the provider) when the cancellation is heard.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ChargeAsync(orderId, "k", "tok_timeout_once"));
        await _host.PublishAsync(new OrderCancelled(orderId, "reservation expired before payment"));
        await _host.UntilAsync(() => ForOrderAsync(orderId), p => p.OrderStatus == "Cancelled", "the cancellation");

        Assert.Equal(HttpStatusCode.OK, await ChargeAsync(orderId, "k", "tok_timeout_once")); // the retry learns it was charged…

        var after = await ForOrderAsync(orderId); // …and the charge was given back in the same breath
        Assert.Equal("refunded", Assert.Single(after.Items).Status);
        Assert.Contains("cancelled while it was being charged", Assert.Single(after.Refunds).Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), (await _host.ProviderChargesAsync(), await _host.ProviderRefundsAsync()));
        // A new attempt on the cancelled order is refused before the provider is called.
        Assert.Equal(HttpStatusCode.Conflict, await ChargeAsync(orderId, "k2"));
        Assert.Equal(1, await _host.ProviderChargesAsync());
        Assert.True((await _host.ReconcileAsync()).Balanced);
    }

    [Fact]
    public async Task Reconciliation_reports_a_charge_without_a_payment_a_paid_order_without_a_charge_and_a_missing_refund()
    {
        var good = Guid.CreateVersion7();
        await _host.PublishAsync(new OrderPlaced(good, Guid.CreateVersion7(), null, [], 42.50m, "EUR"));
        Assert.Equal(HttpStatusCode.OK, await ChargeAsync(good, "k"));
        await _host.PublishAsync(new OrderPaid(good, 42.50m, "EUR"));
        await _host.UntilAsync(() => ForOrderAsync(good), p => p.OrderStatus == "Paid", "the paid order");
        var balanced = await _host.ReconcileAsync();
        Assert.True(balanced.Balanced, string.Join("; ", balanced.Findings.Select(f => f.Detail)));
        Assert.Equal((1, 1), (balanced.ProviderCharges, balanced.Payments));

        // Three kinds of damage, planted straight into the books.
        var paidWithoutCharge = Guid.CreateVersion7();
        await _host.PublishAsync(new OrderPaid(paidWithoutCharge, 10m, "EUR"));
        var cancelled = Guid.CreateVersion7();
        Assert.Equal(HttpStatusCode.OK, await ChargeAsync(cancelled, "k"));
        await using (var connection = new NpgsqlConnection(_host.Database))
        {
            await connection.OpenAsync(Ct);
            await using var plant = new NpgsqlCommand("""
                INSERT INTO simulated_provider.charges (idempotency_key, reference, amount, currency, method, created_at)
                VALUES ('stray-key', 'ch_stray', 9.99, 'EUR', 'tok_visa', now() - interval '1 minute');
                INSERT INTO order_states (order_id, status, updated_at) VALUES (@cancelled, 'Cancelled', now());
                """, connection);
            plant.Parameters.AddWithValue("cancelled", cancelled); // cancelled without its event: no refund was opened
            await plant.ExecuteNonQueryAsync(Ct);
        }

        var report = await _host.UntilAsync(_host.ReconcileAsync, r => r.Findings.Count >= 3, "three findings");

        Assert.Equal([Reconciler.ChargeWithoutPayment, Reconciler.PaidOrderWithoutCharge, Reconciler.RefundMissing],
            report.Findings.Select(f => f.Kind).Order(StringComparer.Ordinal));
        Assert.Contains(report.Findings, f => f.Kind == Reconciler.PaidOrderWithoutCharge && f.OrderId == paidWithoutCharge);
        Assert.Contains(report.Findings, f => f.Kind == Reconciler.RefundMissing && f.OrderId == cancelled);
        Assert.False(report.Balanced);
        // The contract's three lists (API.md): money taken for nothing, orders paid for nothing, money owed back.
        Assert.Equal((1, 1, 1), (report.ChargesWithoutPaidOrder.Count, report.PaidOrdersWithoutCharge.Count, report.MissingRefunds.Count));
    }
}
