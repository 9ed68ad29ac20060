using Cart.Api.Stores;
using Ecommerce.Contracts.Events;
using Ecommerce.Contracts.Outbox;
using StackExchange.Redis;

namespace Cart.Api.Events;

/// <summary>
/// Empties the cart an order was placed from. Idempotent by nature (deleting a deleted cart changes
/// nothing), and it deletes only a cart that belongs to the ordering customer.
/// </summary>
public sealed partial class OrderPlacedConsumer(IConnectionMultiplexer redis, ICartStore store, TimeProvider time, ConsumerOptions options,
    ILogger<OrderPlacedConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Ordering;
    protected override string Group => "cart-api";

    protected override async Task HandleAsync(string eventId, IntegrationEvent e, CancellationToken ct)
    {
        if (e is not OrderPlaced { CartId: { } cartId } placed)
        {
            return;
        }

        var cart = await store.GetAsync(cartId, time.GetUtcNow(), ct);
        if (cart is not null && (cart.OwnerId is null || cart.OwnerId == placed.CustomerId))
        {
            await store.DeleteAsync(cartId, ct);
            LogCleared(logger, cartId, placed.OrderId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cart {CartId} emptied: order {OrderId} was placed from it")]
    private static partial void LogCleared(ILogger logger, string cartId, Guid orderId);
}
