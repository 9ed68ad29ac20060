using System.Net.Mail;
using Ecommerce.Domain;
using Ecommerce.Http.Input;

namespace Identity.Api.Accounts;

public sealed record RegisterRequest(string? Email, string? Password, string? Name);

public sealed record TokenRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record TokenResponse(string AccessToken, int ExpiresIn, string RefreshToken, string TokenType = "Bearer");

public sealed record Address(string? Label, string? Line1, string? Line2, string? City, string? PostalCode, string? Country);

public sealed record ProfileResponse(Guid Id, string Email, string Name, string Role, IReadOnlyList<Address> Addresses);

/// <summary>What a user may change about themselves: not the email, role or id (other fields are ignored).</summary>
public sealed record UpdateProfileRequest(string? Name, List<Address>? Addresses);

/// <summary>Settings under <c>Identity</c>.</summary>
public sealed class IdentityOptions
{
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Failed sign-ins one email may collect within <see cref="SignInFailureWindow"/>, from any address.</summary>
    public int SignInFailuresPerAccount { get; set; } = 20;

    /// <summary>Starts at the first failure; when it ends the count starts over.</summary>
    public TimeSpan SignInFailureWindow { get; set; } = TimeSpan.FromMinutes(15);
    public AdminAccount Admin { get; set; } = new();
}

public sealed class AdminAccount
{
    public string? Email { get; set; }
    public string? Password { get; set; }
}

/// <summary>The documented input rules: a 400 problem names the field; nothing is stored.</summary>
public static class AccountRules
{
    public const int MaxAddresses = 5;

    public static string? EmailError(string? email) =>
        email is { Length: > 0 and <= 254 } && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email
            ? null
            : "A valid email address of at most 254 characters.";

    /// <summary>10–128 characters, at least two kinds of character (lower, upper, digit, other), not built on the email.</summary>
    public static string? PasswordError(string? password, string? email)
    {
        if (password is not { Length: >= 10 and <= 128 })
        {
            return "10 to 128 characters.";
        }

        var kinds = new[] { password.Any(char.IsLower), password.Any(char.IsUpper), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) }
            .Count(k => k);
        if (kinds < 2)
        {
            return "Use at least two kinds of character: lower case, upper case, digits, symbols.";
        }

        var local = email?.Split('@')[0];
        return local is { Length: >= 3 } && password.Contains(local, StringComparison.OrdinalIgnoreCase)
            ? "The password must not contain your email address."
            : null;
    }

    public static string? NameError(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > 100 ? "1 to 100 characters." : null;

    public static string? AddressesError(List<Address>? addresses)
    {
        if (addresses is null)
        {
            return null;
        }

        if (addresses.Count > MaxAddresses)
        {
            return $"At most {MaxAddresses} addresses.";
        }

        static bool Bad(string? v, int max, bool required = true) => required ? string.IsNullOrWhiteSpace(v) || v.Length > max : v?.Length > max;
        return addresses.Any(a => Bad(a.Line1, 200) || Bad(a.City, 100) || Bad(a.PostalCode, 20) || Bad(a.Line2, 200, false) || Bad(a.Label, 50, false)
                                  || !CountryCodes.IsAssigned(a.Country))
            ? "Each address needs line1, city, postalCode and an ISO 3166-1 alpha-2 country code in upper case (e.g. DE); label ≤ 50, line2 ≤ 200."
            : null;
    }
}
