using Ecommerce.Contracts.Events;

namespace Catalog.Api.Products;

/// <summary>What a write came to. Anything else (a lost connection, a bug) is an exception, never a result.</summary>
public enum SaveResult
{
    Saved,
    NotFound,

    /// <summary>The stored version is not the expected one: someone else wrote first.</summary>
    Stale,

    /// <summary>A sku of the product (or of one of its variants) belongs to another product.</summary>
    SkuTaken,
}

public enum ProductFacet
{
    Category,
    Brand,
}

/// <summary>
/// The catalog's store port. Every write stores the product and its integration event atomically (the
/// store's outbox), so a committed change is never left unpublished. Two adapters: PostgreSQL (default)
/// and MongoDB (<c>Catalog:Store=mongodb</c>); one contract suite checks both.
/// </summary>
public interface ICatalogStore
{
    Task<ProductResponse?> FindAsync(Guid id, CancellationToken ct);

    /// <summary>Products whose id is in <paramref name="ids"/> or whose product or variant sku is in <paramref name="skus"/>.</summary>
    Task<IReadOnlyList<ProductResponse>> FindManyAsync(IReadOnlyCollection<Guid> ids, IReadOnlyCollection<string> skus, CancellationToken ct);

    /// <summary>Active products, filtered and sorted, one keyset page (see <see cref="Browse"/>).</summary>
    Task<ProductPage> BrowseAsync(BrowseQuery query, CancellationToken ct);

    /// <summary>Active products matching the query's filters (its cursor ignored), counted up to <paramref name="max"/>.</summary>
    Task<long> CountMatchesAsync(BrowseQuery query, int max, CancellationToken ct);

    /// <summary>Active products per category or brand, ordered by value.</summary>
    Task<IReadOnlyList<FacetCount>> CountByAsync(ProductFacet facet, CancellationToken ct);

    /// <summary>The sku of another product already using one of <paramref name="skus"/>, or null.</summary>
    Task<string?> SkuOwnerAsync(Guid exceptId, IReadOnlyCollection<string> skus, CancellationToken ct);

    Task<SaveResult> InsertAsync(ProductResponse product, IntegrationEvent change, CancellationToken ct);

    /// <summary>Replaces the product if it is still at <paramref name="expectedVersion"/>.</summary>
    Task<SaveResult> ReplaceAsync(ProductResponse product, long expectedVersion, IntegrationEvent change, CancellationToken ct);

    /// <summary>Deletes the product if it is still at <paramref name="expectedVersion"/>.</summary>
    Task<SaveResult> DeleteAsync(Guid id, long expectedVersion, IntegrationEvent change, CancellationToken ct);

    Task<long> CountAsync(CancellationToken ct);

    /// <summary>Bulk load for seeding: no events (search rebuilds its index from the catalog).</summary>
    Task InsertManyAsync(IEnumerable<ProductResponse> products, CancellationToken ct);
}
