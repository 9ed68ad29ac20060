using System.Globalization;
using StackExchange.Redis;

namespace Cart.Api.Stores;

/// <summary>
/// One Redis hash per cart (<c>cart:{id}</c>): <c>_owner</c>, <c>_updated</c>, and per sku
/// <c>q:{sku}</c> (quantity) and <c>p:{sku}</c> (price|currency|added-at). Every change is one Lua script,
/// so it is atomic, and it resets the key's TTL (sliding expiry). A user's cart id is kept under <c>cart-owner:{user}</c>.
/// </summary>
public sealed class RedisCartStore(IConnectionMultiplexer redis) : ICartStore
{
    private static string Key(string id) => "cart:" + id;
    private static string OwnerKey(Guid owner) => "cart-owner:" + owner.ToString("N");

    // Returns the new quantity, or -1 no cart, -2 too many lines, -3 quantity too large, -5 another currency in the cart.
    private static readonly LuaScript Add = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 0 then return -1 end
        local fields = redis.call('HGETALL', @key)
        for i = 1, #fields, 2 do
          if string.sub(fields[i], 1, 2) == 'p:' and string.match(fields[i + 1], '^[^|]*|([^|]*)|') ~= @currency then return -5 end
        end
        local q = 'q:' .. @sku
        local current = tonumber(redis.call('HGET', @key, q) or '0')
        local next = current + tonumber(@quantity)
        if next > tonumber(@max) then return -3 end
        if current == 0 then
          if tonumber(redis.call('HGET', @key, '_lines') or '0') >= tonumber(@maxLines) then return -2 end
          redis.call('HINCRBY', @key, '_lines', 1)
          redis.call('HSET', @key, 'p:' .. @sku, @price)
        end
        redis.call('HSET', @key, q, next, '_updated', @now)
        redis.call('PEXPIRE', @key, @ttl)
        -- The owner index is not in KEYS: fine on a single Redis, which is what this adapter targets.
        local owner = redis.call('HGET', @key, '_owner')
        if owner and owner ~= '' then redis.call('PEXPIRE', 'cart-owner:' .. owner, @ttl) end
        return next
        """);

    // quantity 0 removes the line. Returns 0 done, -1 no cart, -4 no such line.
    private static readonly LuaScript Set = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 0 then return -1 end
        local q = 'q:' .. @sku
        if redis.call('HEXISTS', @key, q) == 0 then return -4 end
        if tonumber(@quantity) == 0 then
          redis.call('HDEL', @key, q, 'p:' .. @sku)
          redis.call('HINCRBY', @key, '_lines', -1)
        else
          redis.call('HSET', @key, q, @quantity)
        end
        redis.call('HSET', @key, '_updated', @now)
        redis.call('PEXPIRE', @key, @ttl)
        local owner = redis.call('HGET', @key, '_owner')
        if owner and owner ~= '' then redis.call('PEXPIRE', 'cart-owner:' .. owner, @ttl) end
        return 0
        """);

    // Merges guest into user inside Redis. Returns dropped line count, or -1 when either cart is missing, -5 when their
    // lines are in different currencies.
    private static readonly LuaScript Merge = LuaScript.Prepare("""
        if redis.call('EXISTS', @guest) == 0 or redis.call('EXISTS', @user) == 0 then return -1 end
        local function currency(key)
          local all = redis.call('HGETALL', key)
          for i = 1, #all, 2 do
            if string.sub(all[i], 1, 2) == 'p:' then return string.match(all[i + 1], '^[^|]*|([^|]*)|') end
          end
          return nil
        end
        local guestCurrency = currency(@guest)
        local userCurrency = currency(@user)
        if guestCurrency and userCurrency and guestCurrency ~= userCurrency then return -5 end
        local fields = redis.call('HGETALL', @guest)
        local dropped = 0
        for i = 1, #fields, 2 do
          local f = fields[i]
          if string.sub(f, 1, 2) == 'q:' then
            local sku = string.sub(f, 3)
            local add = tonumber(fields[i + 1])
            local current = tonumber(redis.call('HGET', @user, f) or '0')
            if current == 0 then
              if tonumber(redis.call('HGET', @user, '_lines') or '0') >= tonumber(@maxLines) then
                dropped = dropped + 1
              else
                redis.call('HINCRBY', @user, '_lines', 1)
                redis.call('HSET', @user, 'p:' .. sku, redis.call('HGET', @guest, 'p:' .. sku), f, math.min(add, tonumber(@max)))
              end
            else
              redis.call('HSET', @user, f, math.min(current + add, tonumber(@max)))
            end
          end
        end
        redis.call('DEL', @guest)
        redis.call('HSET', @user, '_updated', @now)
        redis.call('PEXPIRE', @user, @ttl)
        return dropped
        """);

    private IDatabase Db => redis.GetDatabase();

    public async Task CreateAsync(string cartId, Guid? ownerId, CartLimits limits, DateTimeOffset now, CancellationToken ct)
    {
        var ttl = limits.Ttl;
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(Key(cartId), [new("_owner", ownerId?.ToString("N") ?? ""), new("_updated", Stamp(now)), new("_lines", 0)]);
        _ = tx.KeyExpireAsync(Key(cartId), ttl);
        if (ownerId is { } owner)
        {
            _ = tx.StringSetAsync(OwnerKey(owner), cartId, ttl);
        }

        await tx.ExecuteAsync();
    }

    public async Task<CartData?> GetAsync(string cartId, DateTimeOffset now, CancellationToken ct)
    {
        var key = Key(cartId);
        var fields = Db.HashGetAllAsync(key);
        var ttl = Db.KeyTimeToLiveAsync(key);
        var entries = await fields;
        if (entries.Length == 0)
        {
            return null;
        }

        var map = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
        var lines = map.Where(e => e.Key.StartsWith("q:", StringComparison.Ordinal)).Select(e =>
        {
            var sku = e.Key[2..];
            var parts = map[$"p:{sku}"].Split('|');
            return new CartLineData(sku, int.Parse(e.Value, CultureInfo.InvariantCulture), decimal.Parse(parts[0], CultureInfo.InvariantCulture),
                parts[1], DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[2], CultureInfo.InvariantCulture)));
        }).OrderBy(l => l.AddedAt).ThenBy(l => l.Sku, StringComparer.Ordinal).ToList();
        var owner = map.GetValueOrDefault("_owner");
        return new CartData(cartId, string.IsNullOrEmpty(owner) ? null : Guid.ParseExact(owner, "N"), lines,
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(map["_updated"], CultureInfo.InvariantCulture)),
            now + (await ttl ?? TimeSpan.Zero));
    }

    public async Task<CartChange> AddAsync(string cartId, CartLineData line, CartLimits limits, DateTimeOffset now, CancellationToken ct)
    {
        var result = (long)await Db.ScriptEvaluateAsync(Add, new
        {
            key = (RedisKey)Key(cartId), sku = line.Sku, quantity = line.Quantity, max = limits.MaxQuantity, maxLines = limits.MaxLines,
            price = $"{line.PriceSeen.ToString(CultureInfo.InvariantCulture)}|{line.Currency}|{line.AddedAt.ToUnixTimeMilliseconds()}", currency = line.Currency,
            now = Stamp(now), ttl = (long)limits.Ttl.TotalMilliseconds,
        });
        return result switch
        {
            -1 => CartChange.CartNotFound, -2 => CartChange.TooManyLines, -3 => CartChange.QuantityTooLarge, -5 => CartChange.OtherCurrency,
            _ => CartChange.Done,
        };
    }

    public Task<CartChange> SetQuantityAsync(string cartId, string sku, int quantity, CartLimits limits, DateTimeOffset now, CancellationToken ct) =>
        RunSetAsync(cartId, sku, quantity, limits, now);

    public Task<CartChange> RemoveAsync(string cartId, string sku, CartLimits limits, DateTimeOffset now, CancellationToken ct) =>
        RunSetAsync(cartId, sku, 0, limits, now);

    private async Task<CartChange> RunSetAsync(string cartId, string sku, int quantity, CartLimits limits, DateTimeOffset now)
    {
        var result = (long)await Db.ScriptEvaluateAsync(Set, new
        {
            key = (RedisKey)Key(cartId), sku, quantity, now = Stamp(now), ttl = (long)limits.Ttl.TotalMilliseconds,
        });
        return result switch { -1 => CartChange.CartNotFound, -4 => CartChange.LineNotFound, _ => CartChange.Done };
    }

    public async Task<bool> DeleteAsync(string cartId, CancellationToken ct)
    {
        var owner = await Db.HashGetAsync(Key(cartId), "_owner");
        if (!owner.IsNullOrEmpty)
        {
            await Db.KeyDeleteAsync(OwnerKey(Guid.ParseExact(owner.ToString(), "N")));
        }

        return await Db.KeyDeleteAsync(Key(cartId));
    }

    public async Task<string?> FindByOwnerAsync(Guid ownerId, DateTimeOffset now, CancellationToken ct)
    {
        var id = await Db.StringGetAsync(OwnerKey(ownerId));
        return id.IsNullOrEmpty || !await Db.KeyExistsAsync(Key(id.ToString())) ? null : id.ToString();
    }

    public async Task<CartMerge> MergeAsync(string guestCartId, string userCartId, CartLimits limits, DateTimeOffset now, CancellationToken ct)
    {
        var result = (long)await Db.ScriptEvaluateAsync(Merge, new
        {
            guest = (RedisKey)Key(guestCartId), user = (RedisKey)Key(userCartId), max = limits.MaxQuantity, maxLines = limits.MaxLines,
            now = Stamp(now), ttl = (long)limits.Ttl.TotalMilliseconds,
        });
        return result switch
        {
            -1 => new(CartChange.CartNotFound, 0), -5 => new(CartChange.OtherCurrency, 0), _ => new(CartChange.Done, (int)result),
        };
    }

    private static long Stamp(DateTimeOffset now) => now.ToUnixTimeMilliseconds();
}
