namespace Cart.Api.Stores;

public sealed record CartLineData(string Sku, int Quantity, decimal PriceSeen, string Currency, DateTimeOffset AddedAt);

public sealed record CartData(string Id, Guid? OwnerId, IReadOnlyList<CartLineData> Lines, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt);

/// <summary>The outcome of a change. <c>OtherCurrency</c>: the line's currency is not the one of the cart's lines (a cart
/// holds one currency); nothing was stored.</summary>
public enum CartChange { Done, CartNotFound, LineNotFound, TooManyLines, QuantityTooLarge, OtherCurrency }

/// <summary>What merging a guest cart did: <c>Done</c> with the lines dropped beyond the limit, <c>CartNotFound</c>, or
/// <c>OtherCurrency</c> when both carts have lines in different currencies (nothing merged, the guest cart kept).</summary>
public readonly record struct CartMerge(CartChange Change, int Dropped);

public sealed record CartLimits(int MaxLines, int MaxQuantity, TimeSpan Ttl);

/// <summary>
/// The cart store port. Every change is atomic per cart (two requests changing one cart never lose an
/// update) and slides the cart's expiry. Two adapters: Redis (default) and PostgreSQL.
/// </summary>
public interface ICartStore
{
    Task CreateAsync(string cartId, Guid? ownerId, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<CartData?> GetAsync(string cartId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Adds to the line's quantity (creating the line with the price seen now). Refused with
    /// <see cref="CartChange.OtherCurrency"/> when any line of the cart is in another currency than <c>line.Currency</c>,
    /// checked in the same atomic change (two concurrent adds in two currencies cannot both land in an empty cart).
    /// </summary>
    Task<CartChange> AddAsync(string cartId, CartLineData line, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<CartChange> SetQuantityAsync(string cartId, string sku, int quantity, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<CartChange> RemoveAsync(string cartId, string sku, CartLimits limits, DateTimeOffset now, CancellationToken ct);

    Task<bool> DeleteAsync(string cartId, CancellationToken ct);

    /// <summary>The signed-in user's cart, if any.</summary>
    Task<string?> FindByOwnerAsync(Guid ownerId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Moves every line of the guest cart into the user's cart (quantities add up, capped at the maximum;
    /// lines beyond the line limit are dropped) and deletes the guest cart, with how many lines were dropped. Carts whose
    /// lines are in different currencies are not merged (<see cref="CartChange.OtherCurrency"/>): a cart holds one currency.
    /// </summary>
    Task<CartMerge> MergeAsync(string guestCartId, string userCartId, CartLimits limits, DateTimeOffset now, CancellationToken ct);
}
