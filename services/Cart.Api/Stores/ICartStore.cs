namespace Cart.Api.Stores;

public sealed record CartLineData(string Sku, int Quantity, decimal PriceSeen, string Currency, DateTimeOffset AddedAt);

public sealed record CartData(string Id, Guid? OwnerId, IReadOnlyList<CartLineData> Lines, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt);

/// <summary>The outcome of a change. <c>OtherCurrency</c>: the line's currency is not the one of the cart's lines (a cart
/// holds one currency); nothing was stored.</summary>
public enum CartChange { Done, CartNotFound, LineNotFound, TooManyLines, QuantityTooLarge, OtherCurrency }

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
    /// lines beyond the line limit are dropped) and deletes the guest cart, with how many lines were dropped. Carts whose
    /// lines are in different currencies are not merged (<see cref="CartChange.OtherCurrency"/>): a cart holds one currency.
    /// </summary>
    Task<CartMerge> MergeAsync(string guestCartId, string userCartId, CartLimits limits, DateTimeOffset now, CancellationToken ct);
}
