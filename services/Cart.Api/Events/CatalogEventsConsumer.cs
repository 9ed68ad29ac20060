using Cart.Api.Pricing;
using Ecommerce.Contracts.Events;
using Ecommerce.Messaging;
using StackExchange.Redis;

namespace Cart.Api.Events;

/// <summary>
/// Keeps cart prices honest between catalog reads: when a product changes or is deleted, its cached
/// price is dropped, so a deleted product shows as unavailable on the very next cart read (not after
/// the cache expires). Idempotent: forgetting twice is the same as once.
/// </summary>
public sealed class CatalogEventsConsumer(IConnectionMultiplexer redis, CartPricing pricing, ConsumerOptions options,
    ILogger<CatalogEventsConsumer> logger) : EventConsumer(redis, options, logger)
{
    protected override string Stream => EventStreams.Catalog;
    protected override string Group => "cart-api";

    protected override Task HandleAsync(IntegrationEvent e, CancellationToken ct)
    {
        switch (e)
        {
            case ProductDeleted deleted:
                pricing.Forget(deleted.VariantSkus.Append(deleted.Sku));
                break;
            case ProductUpserted upserted:
                pricing.Forget(upserted.Product.Variants.Select(v => v.Sku).Append(upserted.Product.Sku));
                break;
        }

        return Task.CompletedTask;
    }
}
