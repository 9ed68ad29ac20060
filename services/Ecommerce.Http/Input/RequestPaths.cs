namespace Ecommerce.Http.Input;

/// <summary>Path spellings that servers normalise away before routing.</summary>
public static class RequestPaths
{
    /// <summary>
    /// Kestrel decodes <c>%2e%2e</c> and then removes the dot segment, so <c>DELETE /api/carts/{id}/items/%2e%2e</c> reached
    /// <c>DELETE /api/carts/{id}</c> and deleted the cart. No API path has a dot segment: any, in any spelling, is refused.
    /// </summary>
    public static bool HasDotSegment(string? rawTarget)
    {
        if (string.IsNullOrEmpty(rawTarget)) return false;
        var end = rawTarget.IndexOfAny(['?', '#']);
        var path = end < 0 ? rawTarget : rawTarget[..end];
        foreach (var segment in path.Split('/'))
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (decoded is "." or "..") return true;
        }

        return false;
    }
}
