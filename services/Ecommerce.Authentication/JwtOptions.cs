using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Ecommerce.Authentication;

/// <summary>Settings under <c>Jwt</c>: one signing key shared by the identity service (which mints) and every service (which validates).</summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";
    public const int MinimumKeyBytes = 32;

    public string SigningKey { get; set; } = "";
    public string Issuer { get; set; } = "polyglot-commerce";
    public string Audience { get; set; } = "polyglot-commerce";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public SymmetricSecurityKey CreateSecurityKey()
    {
        var bytes = Encoding.UTF8.GetBytes(SigningKey);
        if (bytes.Length < MinimumKeyBytes)
        {
            throw new InvalidOperationException(
                $"Jwt:SigningKey must be at least {MinimumKeyBytes} bytes (set Jwt__SigningKey; the AppHost generates one).");
        }

        return new SymmetricSecurityKey(bytes);
    }
}

public static class Roles
{
    public const string Customer = "customer";
    public const string Admin = "admin";

    /// <summary>Another service of the platform calling on its own behalf (ordering charging through payments).</summary>
    public const string Service = "service";
}

public static class Policies
{
    /// <summary>Any signed-in user (customer or admin).</summary>
    public const string SignedIn = "signed-in";
    public const string Admin = "admin";

    /// <summary>Only the platform's own services: a shopper's or an admin's token is refused.</summary>
    public const string Service = "service";
}
