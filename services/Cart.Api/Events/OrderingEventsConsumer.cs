using Cart.Api.Stores;
using Ecommerce.Messaging.ReadModels;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using StackExchange.Redis;

namespace Cart.Api.Events;

/// <summary>
/// What the cart hears from ordering: an order placed from a cart empties it (idempotent by nature: deleting a deleted
/// cart changes nothing; only a cart of the ordering customer), and stock changes keep the cart's availability read
/// model (the last figure wins, so a repeat changes nothing). The cart never calls ordering: ordering calls the cart
/// at checkout, and calls go one way.
/// </summary>
public sealed partial class OrderingEventsConsumer(IConnectionMultiplexer redis, ICartStore store, StockBook stock, TimeProvider time, ConsumerOptions options,
    ILogger<OrderingEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Ordering;
    protected override string Group => "cart-api";

    protected override async Task HandleAsync(IntegrationEvent e, CancellationToken ct)
    {
        if (e is StockChanged changed)
        {
            await stock.SetAsync(changed.Sku, changed.Available);
            return;
        }

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
