using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using StackExchange.Redis;

namespace Ordering.Api.Orders;

/// <summary>
/// What payments decided, as events: a charge that landed pays the order if the pay request did not record it (the
/// request died, or raced); a decline and a refund go into the order's history. Idempotent through the aggregate
/// (the same payment or refund twice is <see cref="Decision.AlreadyDone"/>); a version conflict leaves the entry
/// pending, and it is handled again.
/// </summary>
public sealed partial class PaymentEventsConsumer(IConnectionMultiplexer redis, IServiceScopeFactory scopes, ConsumerOptions options, TimeProvider time,
    ILogger<PaymentEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Payments;
    protected override string Group => "ordering-api";

    protected override async Task HandleAsync(IntegrationEvent e, CancellationToken ct)
    {
        if (e is not (PaymentSucceeded or PaymentFailed or PaymentRefunded))
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var orders = scope.ServiceProvider.GetRequiredService<OrderTransactions>();
        var orderId = e switch { PaymentSucceeded s => s.OrderId, PaymentFailed f => f.OrderId, PaymentRefunded r => r.OrderId, _ => Guid.Empty };
        var order = await orders.LoadAsync(orderId, ct);
        if (order is null)
        {
            LogUnknownOrder(logger, orderId, e.GetType().Name);
            return;
        }

        // Refused or already done: nothing to write. A charge on an order no longer payable is refunded by payments when it
        // hears the cancellation.
        var outcome = await orders.DecideAsync(order, EventMetadata.ForSystem, o => e switch
        {
            PaymentSucceeded s => o.Pay(s.PaymentId.ToString(), s.Amount, s.Currency, time.GetUtcNow()),
            PaymentFailed f => o.RecordPaymentFailure(f.PaymentId.ToString(), f.Reason),
            PaymentRefunded r => o.RecordRefund(r.PaymentId.ToString(), r.RefundId, r.Amount, r.Currency),
            _ => Decision.AlreadyDone,
        }, ct);
        if (outcome is OrderOutcome.Conflicted)
        {
            throw new InvalidOperationException($"Order {orderId} changed while {e.GetType().Name} was recorded; the entry is handled again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} names order {OrderId}, which ordering does not have; ignored")]
    private static partial void LogUnknownOrder(ILogger logger, Guid orderId, string eventType);
}
