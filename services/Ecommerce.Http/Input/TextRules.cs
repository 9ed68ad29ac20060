using System.Globalization;

namespace Ecommerce.Http.Input;

/// <summary>How strict a piece of text is checked, by what it is used for.</summary>
public enum TextKind
{
    /// <summary>Prose a person typed (descriptions, review text): tab and line breaks are allowed.</summary>
    FreeText,

    /// <summary>One line (a query value, a name in a URL): no control character at all.</summary>
    Line,

    /// <summary>Something matched by equality (a sku, an id, a warehouse): no control or invisible format character.</summary>
    Identifier,
}

/// <summary>
/// Text a store cannot hold (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate) or that looks like other
/// text (zero-width and bidirectional format characters) is refused at the service's edge, before any store or
/// downstream call sees it: otherwise it surfaces as a 500 from the driver, or as a second sku that looks like the first.
/// </summary>
public static class TextRules
{
    /// <returns>Why <paramref name="value"/> is refused, or null when it may be used as <paramref name="kind"/>.</returns>
    public static string? Error(string value, TextKind kind)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++; // a well-formed pair: a character outside the BMP (emoji…)
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return "Contains an unpaired UTF-16 surrogate, which is not text.";
            }

            if (char.IsControl(c) && !(kind == TextKind.FreeText && c is '\t' or '\n' or '\r'))
            {
                return $"Contains the control character U+{(int)c:X4}.";
            }

            if (kind == TextKind.Identifier && IsInvisible(c))
            {
                return $"Contains the invisible character U+{(int)c:X4}.";
            }
        }

        return null;
    }

    /// <summary>Format characters (zero-width space/joiner, BOM, bidi overrides, soft hyphen) render as nothing.</summary>
    public static bool IsInvisible(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
