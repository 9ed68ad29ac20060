using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Identity.Api.Accounts;

/// <summary>
/// Failed sign-ins per account, across every client address and every identity replica (Redis). The gateway
/// limits each address; this bounds an attack spread over many addresses (credential stuffing, botnets).
/// Emails that have no account are counted the same way, so the answer never tells whether an account exists.
/// A successful sign-in clears the count. Keys hold a hash of the email, never the address itself.
/// </summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, IdentityOptions options)
{
    // INCR and start the window on the first failure only: a fixed window from the first failed attempt.
    private static readonly LuaScript Increment = LuaScript.Prepare(
        "local n = redis.call('INCR', @key) if n == 1 then redis.call('PEXPIRE', @key, @windowMs) end return n");

    /// <summary>How long sign-in stays refused for this email, or null when it is allowed.</summary>
    public async Task<TimeSpan?> RefusedForAsync(string normalizedEmail)
    {
        var db = redis.GetDatabase();
        var key = Key(normalizedEmail);
        var failures = (long?)await db.StringGetAsync(key) ?? 0;
        if (failures < options.SignInFailuresPerAccount) return null;
        return await db.KeyTimeToLiveAsync(key) ?? options.SignInFailureWindow;
    }

    public async Task RecordFailureAsync(string normalizedEmail) =>
        await redis.GetDatabase().ScriptEvaluateAsync(Increment,
            new { key = Key(normalizedEmail), windowMs = (long)options.SignInFailureWindow.TotalMilliseconds });

    public Task ClearAsync(string normalizedEmail) => redis.GetDatabase().KeyDeleteAsync(Key(normalizedEmail));

    private static RedisKey Key(string normalizedEmail) =>
        "identity:sign-in-failures:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedEmail)));
}
