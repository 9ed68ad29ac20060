using System.Globalization;

namespace Ecommerce.Http.Input;

/// <summary>
/// Numbers in a URL are read the one way the docs show (<c>12.50</c>): digits and one decimal point, no group
/// separator, whatever the server's culture. <c>NumberStyles.Number</c> reads "1,5" as 15, silently.
/// </summary>
public static class InvariantNumbers
{
    private const NumberStyles Decimal = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public static bool TryParseDecimal(string? text, out decimal value)
    {
        value = 0;
        return !string.IsNullOrEmpty(text) && decimal.TryParse(text, Decimal, CultureInfo.InvariantCulture, out value);
    }
}
