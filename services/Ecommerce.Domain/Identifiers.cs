using System.Text.RegularExpressions;

namespace Ecommerce.Domain;

/// <summary>
/// The one canonical form of skus and warehouse names, shared by every service that accepts them, so
/// <c>COF-1</c>, <c>cof-1</c> and <c>"COF-1\n"</c> are one sku everywhere (catalog uniqueness, inventory, carts, orders).
/// </summary>
public static partial class Identifiers
{
    public const int MaxSkuLength = 64;
    public const int MaxWarehouseLength = 64;

    public const string SkuRule = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (stored in upper case).";
    public const string WarehouseRule = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (stored in lower case).";

    // \z, not $: '$' also matches before a final "\n", which is how "COF-1\n" once passed as a sku.
    // ASCII only, checked before the case is changed: ToUpperInvariant maps 'ı' to 'I' and the Kelvin sign to 'K'.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex IdentifierPattern();

    /// <summary>Surrounding spaces go, letters go upper case; null when what is left is not a sku.</summary>
    public static string? CanonicalSkuOrNull(string? raw)
    {
        var value = raw?.Trim(' ');
        return value is not null && IdentifierPattern().IsMatch(value) ? value.ToUpperInvariant() : null;
    }

    /// <summary>Surrounding spaces go, letters go lower case; null when what is left is not a warehouse name.</summary>
    public static string? CanonicalWarehouseOrNull(string? raw)
    {
        var value = raw?.Trim(' ');
        return value is not null && IdentifierPattern().IsMatch(value) ? value.ToLowerInvariant() : null;
    }
}
