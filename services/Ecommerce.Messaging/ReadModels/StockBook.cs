using StackExchange.Redis;

namespace Ecommerce.Messaging.ReadModels;

/// <summary>
/// Available units per sku as last heard from ordering's <c>StockChanged</c> events, in one Redis hash per consuming
/// service (search's in-stock flag, the cart's available quantity), shared by that service's replicas. A read model,
/// not a call: the consumer never asks ordering, so no synchronous call goes back up the graph.
/// </summary>
public sealed class StockBook(IConnectionMultiplexer redis, string key)
{
    private readonly RedisKey _key = key;

    public Task SetAsync(string sku, int available) => redis.GetDatabase().HashSetAsync(_key, sku, available);

    public async Task SetManyAsync(IReadOnlyDictionary<string, int> available)
    {
        if (available.Count > 0)
        {
            await redis.GetDatabase().HashSetAsync(_key, available.Select(kv => new HashEntry(kv.Key, kv.Value)).ToArray());
        }
    }

    /// <summary>Units available per sku; a sku never heard of is absent (unknown, not zero).</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetAsync(IReadOnlyList<string> skus)
    {
        var values = await redis.GetDatabase().HashGetAsync(_key, skus.Select(s => (RedisValue)s).ToArray());
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < skus.Count; i++)
        {
            if (values[i].HasValue) found[skus[i]] = (int)values[i];
        }

        return found;
    }

    /// <summary>True when any of the skus (a product and its variants) has units available.</summary>
    public async Task<bool> AnyAvailableAsync(IReadOnlyList<string> skus) => (await GetAsync(skus)).Values.Any(v => v > 0);
}
