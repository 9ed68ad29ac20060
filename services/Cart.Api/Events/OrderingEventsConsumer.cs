using Cart.Api.Stores;
using Ecommerce.Messaging.ReadModels;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using StackExchange.Redis;

namespace Cart.Api.Events;

/// <summary>
/// What the cart hears from ordering: an order placed from a cart takes what it ordered out of it — each ordered sku's
/// quantity, not the whole cart, so a line added or a quantity raised after the checkout stays (a cart left empty is
/// deleted); once per order id, so a redelivery changes nothing; only from a cart of the ordering customer. Stock
/// changes keep the cart's availability read model (the last figure wins, so a repeat changes nothing). The cart never calls ordering: ordering calls the cart
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

        var now = time.GetUtcNow();
        var cart = await store.GetAsync(cartId, now, ct);
        if (cart is not null && (cart.OwnerId is null || cart.OwnerId == placed.CustomerId))
        {
            var ordered = placed.Lines.GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
            var taken = await store.TakeOrderAsync(cartId, placed.OrderId, ordered, now, ct);
            if (taken is OrderTaken.Taken or OrderTaken.Emptied)
            {
                LogTaken(logger, placed.OrderId, cartId, taken == OrderTaken.Emptied);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} taken out of cart {CartId} (cart emptied: {Emptied})")]
    private static partial void LogTaken(ILogger logger, Guid orderId, string cartId, bool emptied);
}
