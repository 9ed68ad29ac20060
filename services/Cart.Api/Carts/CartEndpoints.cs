using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Cart.Api.Pricing;
using Cart.Api.Stores;
using Ecommerce.Authentication;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cart.Api.Carts;

public sealed record AddItemRequest(string? Sku, int? Quantity);

public sealed record SetQuantityRequest(int? Quantity);

public sealed record CartCreated(string Id);

public sealed record CartLineQuantity(string Sku, int Quantity);

public sealed record CartLines(string Id, IReadOnlyList<CartLineQuantity> Lines);

/// <summary>
/// Carts. A guest cart's id (128 random bits) is its capability; a signed-in user's cart answers only
/// that user — anyone else gets a 404, so its existence is never revealed.
/// </summary>
public static class CartEndpoints
{

    public static void MapCarts(this IEndpointRouteBuilder app)
    {
        var carts = app.MapGroup("/api/carts").WithTags("Carts");
        carts.MapPost("/", Create);
        carts.MapGet("/{id}", Get);
        carts.MapGet("/{id}/lines", Lines);
        carts.MapPost("/{id}/items", AddItem);
        carts.MapPut("/{id}/items/{sku}", SetQuantity);
        carts.MapDelete("/{id}/items/{sku}", RemoveItem);
        carts.MapDelete("/{id}", Delete);
        carts.MapPost("/{id}/claim", Claim).RequireAuthorization(Policies.SignedIn);
    }

    public static string NewCartId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    private static async Task<Results<Created<CartCreated>, Ok<CartCreated>>> Create(ClaimsPrincipal user, ICartStore store, CartOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var owner = user.GetUserId();
        var now = time.GetUtcNow();
        if (owner is { } existingOwner && await store.FindByOwnerAsync(existingOwner, now, ct) is { } existing)
        {
            return TypedResults.Ok(new CartCreated(existing)); // one cart per signed-in user
        }

        var id = NewCartId();
        await store.CreateAsync(id, owner, options.Limits, now, ct);
        return TypedResults.Created($"/api/carts/{id}", new CartCreated(id));
    }

    private static async Task<Results<Ok<CartResponse>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, ICartStore store,
        CartPricing pricing, TimeProvider time, CancellationToken ct)
    {
        var cart = await LoadOwnedAsync(id, user, store, time, ct);
        return cart is null ? NotFound(id) : TypedResults.Ok(await pricing.PriceAsync(cart, ct));
    }

    /// <summary>
    /// The cart's lines as stored, unpriced: what checkout reads (ordering prices the order itself, once, from the
    /// catalog), so a checkout costs the cart no catalog call. Same ownership rules as the cart.
    /// </summary>
    private static async Task<Results<Ok<CartLines>, ProblemHttpResult>> Lines(string id, ClaimsPrincipal user, ICartStore store,
        TimeProvider time, CancellationToken ct)
    {
        var cart = await LoadOwnedAsync(id, user, store, time, ct);
        return cart is null ? NotFound(id) : TypedResults.Ok(new CartLines(cart.Id, cart.Lines.Select(l => new CartLineQuantity(l.Sku, l.Quantity)).ToList()));
    }

    private static async Task<Results<Ok<CartResponse>, ProblemHttpResult>> AddItem(string id, AddItemRequest request, ClaimsPrincipal user,
        ICartStore store, CartPricing pricing, CartOptions options, TimeProvider time, CancellationToken ct)
    {
        // The catalog's canonical form ("cof-1 " is "COF-1"): one line per sku, never a look-alike second line.
        if (Identifiers.CanonicalSkuOrNull(request.Sku) is not { } sku)
        {
            return ValidationProblems.Field("sku", Identifiers.SkuRule);
        }

        if (request.Quantity is not { } quantity || quantity < 1 || quantity > options.MaxQuantity)
        {
            return ValidationProblems.Field("quantity", $"quantity must be from 1 to {options.MaxQuantity}.");
        }

        if (await LoadOwnedAsync(id, user, store, time, ct) is not { } cart)
        {
            return NotFound(id);
        }

        var item = (await pricing.LookupAsync([sku], ct)).GetValueOrDefault(sku);
        if (item is { Active: true, VariantSkus: { Count: > 0 } variants }) // CatalogItem.NeedsVariant, with the variants in hand
        {
            return Problem.Of(ProblemTypes.VariantRequired, $"'{sku}' comes in variants: add one of {string.Join(", ", variants)}.", new Dictionary<string, object?> { ["variantSkus"] = variants });
        }

        if (item is not { Active: true })
        {
            return Problem.Of(ProblemTypes.UnknownSku, $"'{sku}' is not a product for sale.");
        }

        var now = time.GetUtcNow();
        var change = await store.AddAsync(id, new CartLineData(sku, quantity, item.Price, item.Currency, now), options.Limits, now, ct);
        if (change == CartChange.OtherCurrency)
        {
            // One currency per cart (hardening round 3, class 9): lines in EUR and USD were summed into one subtotal.
            var cartCurrency = cart.Lines.Select(l => l.Currency).FirstOrDefault(c => c != item.Currency); // null: a line landed since the read
            return Problem.Of(ProblemTypes.Conflict,
                $"This cart is priced in {cartCurrency ?? "another currency"} and '{sku}' is sold in {item.Currency}: a cart holds one currency.",
                new Dictionary<string, object?> { ["cartCurrency"] = cartCurrency, ["currency"] = item.Currency });
        }

        return await AfterChangeAsync(change, id, store, pricing, options, time, ct);
    }

    private static async Task<Results<Ok<CartResponse>, ProblemHttpResult>> SetQuantity(string id, string sku, SetQuantityRequest request,
        ClaimsPrincipal user, ICartStore store, CartPricing pricing, CartOptions options, TimeProvider time, CancellationToken ct)
    {
        if (request.Quantity is not { } quantity || quantity < 1 || quantity > options.MaxQuantity)
        {
            return ValidationProblems.Field("quantity", $"quantity must be from 1 to {options.MaxQuantity} (DELETE the line to remove it).");
        }

        sku = Identifiers.CanonicalSkuOrNull(sku) ?? sku; // not a sku: no line has it, the store answers "no line"

        if (await LoadOwnedAsync(id, user, store, time, ct) is null)
        {
            return NotFound(id);
        }

        var change = await store.SetQuantityAsync(id, sku, quantity, options.Limits, time.GetUtcNow(), ct);
        return await AfterChangeAsync(change, id, store, pricing, options, time, ct);
    }

    private static async Task<Results<Ok<CartResponse>, ProblemHttpResult>> RemoveItem(string id, string sku, ClaimsPrincipal user,
        ICartStore store, CartPricing pricing, CartOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await LoadOwnedAsync(id, user, store, time, ct) is null)
        {
            return NotFound(id);
        }

        sku = Identifiers.CanonicalSkuOrNull(sku) ?? sku;
        var change = await store.RemoveAsync(id, sku, options.Limits, time.GetUtcNow(), ct);
        return await AfterChangeAsync(change, id, store, pricing, options, time, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, ClaimsPrincipal user, ICartStore store,
        TimeProvider time, CancellationToken ct)
    {
        if (await LoadOwnedAsync(id, user, store, time, ct) is null)
        {
            return NotFound(id);
        }

        await store.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Moves a guest cart into the signed-in user's cart, adding quantities up (capped).</summary>
    private static async Task<Results<Ok<CartResponse>, ProblemHttpResult>> Claim(string id, ClaimsPrincipal user, ICartStore store,
        CartPricing pricing, CartOptions options, TimeProvider time, CancellationToken ct)
    {
        var owner = user.SignedInUserId();
        var now = time.GetUtcNow();
        var guest = await LoadOwnedAsync(id, user, store, time, ct);
        if (guest is null)
        {
            return NotFound(id);
        }

        if (guest.OwnerId == owner)
        {
            return TypedResults.Ok(await pricing.PriceAsync(guest, ct)); // already this user's cart
        }

        var target = await store.FindByOwnerAsync(owner, now, ct);
        if (target is null)
        {
            target = NewCartId();
            await store.CreateAsync(target, owner, options.Limits, now, ct);
        }

        switch ((await store.MergeAsync(id, target, options.Limits, now, ct)).Change)
        {
            case CartChange.CartNotFound:
                return NotFound(id);
            case CartChange.OtherCurrency:
                return Problem.Of(ProblemTypes.Conflict,
                    "This cart and your cart hold lines in different currencies: a cart holds one currency. Nothing was moved; empty one of them first.");
        }

        var merged = await store.GetAsync(target, now, ct);
        return merged is null ? NotFound(target) : TypedResults.Ok(await pricing.PriceAsync(merged, ct));
    }

    private static async Task<Results<Ok<CartResponse>, ProblemHttpResult>> AfterChangeAsync(CartChange change, string id, ICartStore store,
        CartPricing pricing, CartOptions options, TimeProvider time, CancellationToken ct)
    {
        switch (change)
        {
            case CartChange.CartNotFound:
                return NotFound(id);
            case CartChange.LineNotFound:
                return Problem.Of(ProblemTypes.NotFound, "The cart has no line for that sku.");
            case CartChange.TooManyLines:
                return ValidationProblems.Field("sku", $"A cart holds at most {options.MaxLines} lines.");
            case CartChange.QuantityTooLarge:
                return ValidationProblems.Field("quantity", $"At most {options.MaxQuantity} units of one sku per cart.");
        }

        var cart = await store.GetAsync(id, time.GetUtcNow(), ct);
        return cart is null ? NotFound(id) : TypedResults.Ok(await pricing.PriceAsync(cart, ct));
    }

    /// <summary>The cart, if this caller may use it: guest carts by their id, owned carts by their owner only.</summary>
    private static async Task<CartData?> LoadOwnedAsync(string id, ClaimsPrincipal user, ICartStore store, TimeProvider time, CancellationToken ct)
    {
        if (id.Length != 22 || !Base64Url.IsValid(id))
        {
            return null;
        }

        var cart = await store.GetAsync(id, time.GetUtcNow(), ct);
        return cart is null || (cart.OwnerId is { } owner && owner != user.GetUserId()) ? null : cart;
    }

    private static ProblemHttpResult NotFound(string id) =>
        Problem.Of(ProblemTypes.NotFound, $"Cart '{id}' was not found.");
}
