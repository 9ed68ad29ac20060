using Microsoft.Extensions.Primitives;

namespace Ecommerce.Http;

/// <summary>An entity tag (RFC 9110 §8.8.3): an opaque quoted string, weak when prefixed by <c>W/</c>.</summary>
public readonly record struct EntityTag(string Opaque, bool IsWeak)
{
    public static EntityTag Strong(string opaque) => new(opaque, IsWeak: false);

    /// <summary>The header form: <c>"v3"</c> or <c>W/"v3"</c>.</summary>
    public override string ToString() => (IsWeak ? "W/\"" : "\"") + Opaque + "\"";

    /// <summary>§8.8.3.2: both strong and the same opaque tag. What If-Match uses: a write needs the exact representation.</summary>
    public bool StrongEquals(EntityTag other) => !IsWeak && !other.IsWeak && Opaque == other.Opaque;

    /// <summary>§8.8.3.2: the same opaque tag, weak or not. What If-None-Match uses: a cache only needs an equivalent one.</summary>
    public bool WeakEquals(EntityTag other) => Opaque == other.Opaque;
}

/// <summary>The value of an If-Match or If-None-Match header: <c>*</c> (any current representation) or a list of entity tags.</summary>
public sealed record EntityTagCondition(bool Any, IReadOnlyList<EntityTag> Tags)
{
    /// <summary>If-Match (§13.1.1): true when <c>*</c> and the resource exists, or any listed tag strongly equals the current one.</summary>
    public bool MatchesStrong(EntityTag current) => Any || Tags.Any(t => t.StrongEquals(current));

    /// <summary>If-None-Match (§13.1.2): true when <c>*</c> and the resource exists, or any listed tag weakly equals the current one.</summary>
    public bool MatchesWeak(EntityTag current) => Any || Tags.Any(t => t.WeakEquals(current));
}

/// <summary>
/// The one parser of conditional-request headers for every service. It is strict on purpose: a malformed value is
/// reported so the endpoint answers a 400 naming the header, rather than guessing what a client meant by it (a guess in
/// If-Match could let a blind write through, one in If-None-Match could serve a stale cache).
/// </summary>
public static class EntityTags
{
    /// <summary>
    /// Parses <c>"*" / #entity-tag</c> over every field line of the header (several lines are one comma-joined list,
    /// §5.3). Empty list elements are allowed, as the # rule says (§5.6.1).
    /// </summary>
    /// <returns>False when the value is malformed; otherwise true, with a null condition when the header is absent.</returns>
    public static bool TryParseCondition(StringValues header, out EntityTagCondition? condition)
    {
        condition = null;
        if (StringValues.IsNullOrEmpty(header)) return true;

        var text = string.Join(',', header.ToArray());
        if (text.Trim(' ', '\t') == "*")
        {
            condition = new EntityTagCondition(Any: true, []);
            return true;
        }

        var tags = new List<EntityTag>();
        var i = 0;
        while (true)
        {
            i = SkipSpace(text, i);
            if (i == text.Length) break;
            if (text[i] == ',')
            {
                i++;
                continue;
            }

            if (!TryReadTag(text, ref i, out var tag)) return false;
            tags.Add(tag);
            i = SkipSpace(text, i);
            if (i < text.Length && text[i] != ',') return false; // two tags not separated by a comma, or trailing junk
        }

        // "*" mixed into a list, or only commas: neither is a valid field value.
        if (tags.Count == 0) return false;
        condition = new EntityTagCondition(Any: false, tags);
        return true;
    }

    private static bool TryReadTag(string text, ref int i, out EntityTag tag)
    {
        tag = default;
        var weak = text.AsSpan(i).StartsWith("W/", StringComparison.Ordinal);
        if (weak) i += 2;
        if (i >= text.Length || text[i] != '"') return false;

        var start = ++i;
        while (i < text.Length && text[i] != '"')
        {
            if (!IsEntityTagChar(text[i])) return false;
            i++;
        }

        if (i == text.Length) return false; // no closing quote
        tag = new EntityTag(text[start..i], weak);
        i++;
        return true;
    }

    /// <summary>etagc = %x21 / %x23-7E / obs-text. Obs-text (bytes ≥ 0x80) is refused: no tag this platform issues has it.</summary>
    private static bool IsEntityTagChar(char c) => c == '!' || c is >= '#' and <= '~';

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t') i++;
        return i;
    }
}
