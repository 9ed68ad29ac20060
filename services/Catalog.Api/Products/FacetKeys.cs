namespace Catalog.Api.Products;

/// <summary>
/// The canonical form a category or brand is filtered on: trimmed, lower case (invariant). Stored values keep the case
/// an admin typed, for display; filters compare keys, so <c>category=SHOES</c>, <c>Shoes</c> and <c>shoes</c> find the
/// same products. PostgreSQL keeps the key in a generated column (<c>lower(category)</c>), MongoDB in a field written
/// with the document; each store lowers the filter value the same way it lowered the stored one.
/// </summary>
public static class FacetKeys
{
    public static string? Of(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();
}
