namespace Cart.Api.Stores;

public sealed record CartLineData(string Sku, int Quantity, decimal PriceSeen, string Currency, DateTimeOffset AddedAt);

public sealed record CartData(string Id, Guid? OwnerId, IReadOnlyList<CartLineData> Lines, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt);

public enum CartChange { Done, CartNotFound, LineNotFound, TooManyLines, QuantityTooLarge }

/// <summary>What taking an order's lines out of a cart did.</summary>
public enum OrderTaken
{
    /// <summary>The ordered quantities were subtracted; lines added or raised since stay.</summary>
    Taken,
    /// <summary>Nothing was left after subtracting, so the cart was deleted (as before: a checkout empties the cart).</summary>
    Emptied,
    /// <summary>This order was already taken out of this cart (a redelivery): nothing changed.</summary>
    AlreadyTaken,
    CartNotFound,
}

public sealed record CartLimits(int MaxLines, int MaxQuantity, TimeSpan Ttl);

/// <summary>
/// The cart store port. Every change is atomic per cart (two requests changing one cart never lose an
/// update) and slides the cart's expiry. Two adapters: Redis (default) and PostgreSQL.
/// </summary>
public interface ICartStore
{
    Task CreateAsync(string cartId, Guid? ownerId, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<CartData?> GetAsync(string cartId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Adds to the line's quantity (creating the line with the price seen now).</summary>
    Task<CartChange> AddAsync(string cartId, CartLineData line, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<CartChange> SetQuantityAsync(string cartId, string sku, int quantity, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<CartChange> RemoveAsync(string cartId, string sku, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<bool> DeleteAsync(string cartId, CancellationToken ct);

    /// <summary>
    /// Takes what an order took out of the cart, atomically and once per order id: each ordered sku's quantity is
    /// subtracted (the line goes when it reaches 0), so lines added and quantities raised after the order stay. The
    /// order id is remembered on the cart, so a second delivery of the same order changes nothing. A cart left with
    /// no line is deleted. <paramref name="ordered"/> maps sku to the quantity ordered (skus in canonical form).
    /// </summary>
    Task<OrderTaken> TakeOrderAsync(string cartId, Guid orderId, IReadOnlyDictionary<string, int> ordered, DateTimeOffset now, CancellationToken ct);

    /// <summary>The signed-in user's cart, if any.</summary>
    Task<string?> FindByOwnerAsync(Guid ownerId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Moves every line of the guest cart into the user's cart (quantities add up, capped at the maximum;
    /// lines beyond the line limit are dropped) and deletes the guest cart. Returns how many lines were dropped.
    /// </summary>
    Task<int?> MergeAsync(string guestCartId, string userCartId, CartLimits limits, DateTimeOffset now, CancellationToken ct);
}
