using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ecommerce.Authentication;

/// <summary>Mints access tokens with the shared key. Used by the identity service and by tests.</summary>
public sealed class TokenIssuer(JwtOptions options, TimeProvider time)
{
    public const string RoleClaim = "role";
    private readonly SigningCredentials _credentials = new(options.CreateSecurityKey(), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new();

    public TimeSpan Lifetime => options.AccessTokenLifetime;

    /// <param name="session">The sign-in session (refresh-token family) the token belongs to; signing it out ends the token.</param>
    public string CreateAccessToken(Guid userId, string email, string role, TimeSpan? lifetime = null, Guid? session = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<Claim> claims =
        [
            new(JwtRegisteredClaimNames.Sub, userId.ToString()),
            new(JwtRegisteredClaimNames.Email, email),
            new(JwtRegisteredClaimNames.Jti, Guid.CreateVersion7().ToString()),
            new(RoleClaim, role),
        ];
        if (session is { } sid) claims.Add(new Claim(SignedOutSessions.Claim, sid.ToString()));

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? options.AccessTokenLifetime),
            SigningCredentials = _credentials,
            Subject = new ClaimsIdentity(claims),
        });
    }
}
