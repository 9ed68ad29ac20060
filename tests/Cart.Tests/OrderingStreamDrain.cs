using Cart.Api.Events;
using Ecommerce.Messaging;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Cart.Tests;

/// <summary>Runs the cart's ordering consumer until its group has nothing pending and no lag (the hosted consumer may take entries first).</summary>
public static class OrderingStreamDrain
{
    public static async Task DrainAsync(IServiceProvider services, IConnectionMultiplexer redis)
    {
        var consumer = services.GetRequiredService<OrderingEventsConsumer>();
        await consumer.EnsureGroupAsync();
        var key = EventStreams.Key(EventStreams.Ordering);
        for (var i = 0; i < 100; i++)
        {
            await consumer.ConsumeOnceAsync(CancellationToken.None);
            var pending = await redis.GetDatabase().StreamPendingAsync(key, "cart-api");
            var info = await redis.GetDatabase().StreamGroupInfoAsync(key);
            if (pending.PendingMessageCount == 0 && info.Single(g => g.Name == "cart-api").Lag is 0 or null)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The cart-api group still has pending or undelivered entries of the ordering stream after 100 passes.");
    }
}
