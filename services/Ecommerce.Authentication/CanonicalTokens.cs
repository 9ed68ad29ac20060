using System.Buffers.Text;

namespace Ecommerce.Authentication;

/// <summary>
/// A JWS in compact form has exactly one spelling: three base64url segments without padding (RFC 7515 §2, §7.1), each the
/// canonical encoding of its bytes. The token handler decodes leniently — a signature with <c>=</c> appended, or whose
/// last character carries stray low bits, decodes to the same bytes and validated as a second spelling of the same
/// token (hardening round 3, defect 14). Two spellings of one credential defeat anything keyed on the token's text
/// (deny lists, caches, logs), so anything but the canonical spelling is refused before validation.
/// </summary>
public static class CanonicalTokens
{
    public static bool IsCanonicalCompactJws(ReadOnlySpan<char> token)
    {
        var segments = 0;
        foreach (var range in token.Split('.'))
        {
            if (++segments > 3 || !IsCanonicalBase64Url(token[range]))
            {
                return false;
            }
        }

        return segments == 3;
    }

    private static bool IsCanonicalBase64Url(ReadOnlySpan<char> segment)
    {
        // The header, payload and signature of a signed token are never empty; '=' padding is not base64url.
        if (segment.IsEmpty || !Base64Url.IsValid(segment, out var length) || segment.Contains('='))
        {
            return false;
        }

        Span<byte> bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        if (!Base64Url.TryDecodeFromChars(segment, bytes, out var written))
        {
            return false;
        }

        // Re-encoding gives the one canonical spelling: a last character with stray low bits encodes differently.
        Span<char> canonical = segment.Length <= 2048 ? stackalloc char[segment.Length] : new char[segment.Length];
        return Base64Url.TryEncodeToChars(bytes[..written], canonical, out var charsWritten)
            && canonical[..charsWritten].SequenceEqual(segment);
    }
}
