using StackExchange.Redis;

namespace Ecommerce.Authentication;

/// <summary>
/// Access tokens name their session (<c>sid</c>: the refresh-token family). Signing out — or a replayed refresh
/// token, which kills the family — marks the session here for one access-token lifetime, and every service that
/// has Redis refuses the session's access tokens from then on, not only at their next refresh.
/// </summary>
public sealed class SignedOutSessions(IConnectionMultiplexer redis, JwtOptions options)
{
    public const string Claim = "sid";

    public async Task SignOutAsync(Guid session) =>
        // Clock skew on top: a token is accepted up to 30 s past its expiry (see AddDefaultAuthentication).
        await redis.GetDatabase().StringSetAsync(Key(session.ToString()), 1, options.AccessTokenLifetime + TimeSpan.FromMinutes(1));

    public static Task<bool> IsSignedOutAsync(IConnectionMultiplexer redis, string session) =>
        redis.GetDatabase().KeyExistsAsync(Key(session));

    private static RedisKey Key(string session) => "auth:signed-out-session:" + session;
}
