using Ecommerce.Authentication;

namespace Ecommerce.Testing;

/// <summary>Tokens signed with the key every test host is configured with (see <see cref="ServiceFactory{TProgram}"/>).</summary>
public static class TestTokens
{
    public const string SigningKey = "test-signing-key-that-is-long-enough-for-hmac-sha256";
    public const string Issuer = "polyglot-commerce";

    public static readonly JwtOptions Options = new() { SigningKey = SigningKey, Issuer = Issuer, Audience = Issuer };

    private static readonly TokenIssuer Tokens = new(Options, TimeProvider.System);

    public static string Customer(Guid userId, string? email = null) =>
        Tokens.CreateAccessToken(userId, email ?? $"{userId:N}@example.test", Roles.Customer);

    public static string Admin(Guid? userId = null) =>
        Tokens.CreateAccessToken(userId ?? Guid.CreateVersion7(), "admin@example.test", Roles.Admin);

    /// <summary>A platform service's own token (what ordering sends to payments).</summary>
    public static string Service(string name = "ordering-api") =>
        Tokens.CreateAccessToken(Guid.CreateVersion7(), $"{name}@services.polyglot.local", Roles.Service);

    /// <summary>A token that is already expired (lifetime in the past).</summary>
    public static string Expired(Guid userId) =>
        Tokens.CreateAccessToken(userId, "expired@example.test", Roles.Customer, TimeSpan.FromMinutes(-10));

    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Jwt:SigningKey"] = SigningKey,
        ["Jwt:Issuer"] = Issuer,
        ["Jwt:Audience"] = Issuer,
    };
}
