using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Infrastructure;
using Payments.Api.Payments;
using StackExchange.Redis;

namespace Payments.Api.Events;

/// <summary>
/// What payments hears from ordering: each order's state (for reconciliation) and its cancellation, which refunds a
/// charge. Events, not calls: ordering calls payments, so payments must never call ordering back. Idempotent — a
/// status only moves forward (Placed → Paid → Shipped; Cancelled is final), and a refund is opened once.
/// </summary>
public sealed class OrderingEventsConsumer(IConnectionMultiplexer redis, IServiceScopeFactory scopes, ConsumerOptions options, TimeProvider time,
    ILogger<OrderingEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Ordering;
    protected override string Group => "payments-api";

    protected override async Task HandleAsync(IntegrationEvent e, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDb>();
        switch (e)
        {
            case OrderPlaced placed:
                await MoveAsync(db, placed.OrderId, OrderStatus.Placed, ct);
                break;
            case OrderPaid paid:
                await MoveAsync(db, paid.OrderId, OrderStatus.Paid, ct);
                break;
            case OrderShipped shipped:
                await MoveAsync(db, shipped.OrderId, OrderStatus.Shipped, ct);
                break;
            case OrderCancelled cancelled:
                await scope.ServiceProvider.GetRequiredService<Refunding>().OrderCancelledAsync(cancelled.OrderId, cancelled.Reason, "event:OrderCancelled", ct);
                break;
        }
    }

    /// <summary>Moves the order's known state forward only: a late or repeated event never moves it back.</summary>
    private Task<int> MoveAsync(PaymentsDb db, Guid orderId, OrderStatus status, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO order_states (order_id, status, updated_at) VALUES ({orderId}, {status.ToString()}, {time.GetUtcNow()})
            ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
            WHERE order_states.status <> 'Cancelled'
              AND array_position(ARRAY['Placed', 'Paid', 'Shipped'], excluded.status) > array_position(ARRAY['Placed', 'Paid', 'Shipped'], order_states.status)
            """, ct);
}
