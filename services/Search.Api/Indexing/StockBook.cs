using StackExchange.Redis;

namespace Search.Api.Indexing;

/// <summary>
/// Available units per sku as last heard from <c>StockChanged</c>, in one Redis hash shared by every search
/// instance: a product indexed after its stock event still gets the right in-stock flag.
/// </summary>
public sealed class StockBook(IConnectionMultiplexer redis, SearchOptions options)
{
    private RedisKey Key => options.StockKey;

    public Task SetAsync(string sku, int available) => redis.GetDatabase().HashSetAsync(Key, sku, available);

    public async Task SetManyAsync(IReadOnlyDictionary<string, int> available)
    {
        if (available.Count > 0)
        {
            await redis.GetDatabase().HashSetAsync(Key, available.Select(kv => new HashEntry(kv.Key, kv.Value)).ToArray());
        }
    }

    /// <summary>True when any of the skus (a product and its variants) has units available.</summary>
    public async Task<bool> AnyAvailableAsync(IReadOnlyList<string> skus)
    {
        var values = await redis.GetDatabase().HashGetAsync(Key, skus.Select(s => (RedisValue)s).ToArray());
        return values.Any(v => v.HasValue && (int)v > 0);
    }
}
