using System.Text.RegularExpressions;

namespace Ecommerce.Domain;

/// <summary>The payment methods the platform takes today: test card tokens (docs/payments.md), checked alike by ordering and payments.</summary>
public static partial class PaymentMethods
{
    public const string Rule = "a test card token: tok_ followed by 1 to 40 lower-case letters, digits or underscores (e.g. tok_visa; see docs/payments.md)";

    public static bool IsTestCardToken(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex(@"^tok_[a-z0-9_]{1,40}\z")]
    private static partial Regex Pattern();
}
