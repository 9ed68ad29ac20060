using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;
using StackExchange.Redis;

namespace Ordering.Api.Orders;

/// <summary>
/// What payments decided, as events: a charge that landed pays the order if the pay request did not record it (the
/// request died, or raced); a decline and a refund go into the order's history. Idempotent through the aggregate
/// (the same payment or refund twice is <see cref="Decision.AlreadyDone"/>); a version conflict leaves the entry
/// pending, and it is handled again.
/// </summary>
public sealed partial class PaymentEventsConsumer(IConnectionMultiplexer redis, IServiceScopeFactory scopes, ConsumerOptions options, TimeProvider time,
    OutboxRelay<OrderingDb> relay, ILogger<PaymentEventsConsumer> logger) : EventConsumer(redis, options, logger)
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
        var db = scope.ServiceProvider.GetRequiredService<OrderingDb>();
        var orderId = e switch { PaymentSucceeded s => s.OrderId, PaymentFailed f => f.OrderId, PaymentRefunded r => r.OrderId, _ => Guid.Empty };
        var order = await new EventStore(db, time).LoadAsync(orderId, null, ct);
        if (order is null)
        {
            LogUnknownOrder(logger, orderId, e.GetType().Name);
            return;
        }

        var decision = e switch
        {
            PaymentSucceeded s => order.Pay(s.PaymentId.ToString(), s.Amount, s.Currency, time.GetUtcNow()),
            PaymentFailed f => order.RecordPaymentFailure(f.PaymentId.ToString(), f.Reason),
            PaymentRefunded r => order.RecordRefund(r.PaymentId.ToString(), r.RefundId, r.Amount, r.Currency),
            _ => Decision.AlreadyDone,
        };
        if (decision.Event is not { } change)
        {
            // Nothing to do, or a charge on an order no longer payable: payments refunds that when it hears the cancellation.
            return;
        }

        var appended = await OrderCommands.AppendAsync(db, relay, time, order, null, change, async now =>
        {
            if (change is OrderPaid)
            {
                await db.Reservations.Where(r => r.OrderId == orderId && r.Status == Inventory.ReservationStatus.Active)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, now.AddYears(100)), ct);
            }
        }, ct);
        if (appended is null)
        {
            throw new InvalidOperationException($"Order {orderId} changed while {e.GetType().Name} was recorded; the entry is handled again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} names order {OrderId}, which ordering does not have; ignored")]
    private static partial void LogUnknownOrder(ILogger logger, Guid orderId, string eventType);
}
