using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Ecommerce.Domain;
using Ecommerce.Http.Input;

namespace Ordering.Api.Orders;

/// <summary>One line as the client asked for it: a canonical sku and 1 to MaxQuantity units (duplicate skus merged).</summary>
public sealed record RequestedLine(string Sku, int Quantity);

/// <summary>
/// A checkout request that parsed: a valid address, and either a cart id (the lines are read from the cart) or the
/// lines themselves. Nothing in it is null that the checkout needs, so nothing after parsing checks again.
/// </summary>
public sealed record PlaceOrderCommand(ShippingAddress Address, string? CartId, IReadOnlyList<RequestedLine> Lines)
{
    /// <summary>The request field the order's lines come from, which a refusal of them names: <c>cartId</c> or <c>lines</c>.</summary>
    public string LinesField => CartId is null ? "lines" : "cartId";

    /// <summary>
    /// What the Idempotency-Key protects: the address and, for a cart checkout, the cart id (not its lines today);
    /// otherwise the lines, sorted, so the hash does not depend on line order.
    /// </summary>
    public string RequestHash => Hash(CartId is { } cartId ? [new RequestedLine("cart:" + cartId, 0)] : Lines, Address);

    /// <summary>
    /// Parses, rather than validates: either a command with nothing missing, or the refused fields (request field →
    /// message) in the order the request is read: shippingAddress, then cartId or lines.
    /// </summary>
    public static bool TryParse(PlaceOrderRequest request, OrderingOptions options,
        [NotNullWhen(true)] out PlaceOrderCommand? command, [NotNullWhen(false)] out OrderedDictionary<string, string>? errors)
    {
        var refused = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        var address = ParseAddress(request.ShippingAddress);
        if (address is null)
        {
            refused["shippingAddress"] = "shippingAddress needs name, line1, city, postalCode and an ISO 3166-1 alpha-2 country code in upper case (e.g. DE).";
        }

        IReadOnlyList<RequestedLine> lines = [];
        if (request.CartId is { } cartId)
        {
            // A cart id is what the cart service issues (22 base64url characters); anything else cannot be a cart and
            // is refused here, not sent on to the cart service.
            if (request.Lines is not null)
            {
                refused["cartId"] = "Send either cartId or lines, not both.";
            }
            else if (cartId.Length != 22 || !System.Buffers.Text.Base64Url.IsValid(cartId))
            {
                refused["cartId"] = "cartId is not a cart id.";
            }
        }
        else if (!TryParseLines(request.Lines, options, out var listed, out var linesError))
        {
            refused["lines"] = linesError;
        }
        else
        {
            lines = listed;
        }

        if (address is null || refused.Count > 0)
        {
            (command, errors) = (null, refused);
            return false;
        }

        (command, errors) = (new PlaceOrderCommand(address, request.CartId, lines), null);
        return true;
    }

    /// <summary>
    /// Lines as a client or a cart sent them → merged per canonical sku, in sku order; or why not (one message, the
    /// first line refused).
    /// </summary>
    public static bool TryParseLines(IReadOnlyList<PlaceOrderLine>? raw, OrderingOptions options,
        [NotNullWhen(true)] out IReadOnlyList<RequestedLine>? lines, [NotNullWhen(false)] out string? error)
    {
        (lines, error) = (null, null);
        if (raw is not { Count: > 0 } || raw.Count > options.MaxLines)
        {
            error = $"An order needs 1 to {options.MaxLines} lines.";
            return false;
        }

        var parsed = new List<RequestedLine>(raw.Count);
        foreach (var line in raw)
        {
            if (Identifiers.CanonicalSkuOrNull(line.Sku) is not { } sku)
            {
                error = $"Every line needs a sku: {Identifiers.SkuRule}";
                return false;
            }

            if (line.Quantity is not { } quantity || quantity < 1 || quantity > options.MaxQuantity)
            {
                error = $"Every line needs a quantity from 1 to {options.MaxQuantity} (sku '{line.Sku}').";
                return false;
            }

            parsed.Add(new RequestedLine(sku, quantity));
        }

        // The same sku twice is one line; sorted so the request hash does not depend on line order.
        var merged = parsed.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => new RequestedLine(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.Sku, StringComparer.Ordinal).ToList();
        if (merged.Any(l => l.Quantity > options.MaxQuantity))
        {
            error = $"At most {options.MaxQuantity} units per sku.";
            return false;
        }

        lines = merged;
        return true;
    }

    private static ShippingAddress? ParseAddress(ShippingAddress? a) =>
        a is null || Blank(a.Name, 100) || Blank(a.Line1, 200) || Blank(a.City, 100) || Blank(a.PostalCode, 20)
        || !CountryCodes.IsAssigned(a.Country) || a.Line2?.Length > 200
            ? null
            : a;

    // The record's strings are non-nullable, but JSON may still leave them null: checked as nullable here.
    private static bool Blank(string? value, int max) => string.IsNullOrWhiteSpace(value) || value.Length > max;

    /// <summary>
    /// A hash of a canonical JSON serialisation (hardening round 3, defect 11): fields joined with tab and newline let two
    /// different addresses — a tab inside one field moved to the next — hash alike, and the second request silently got
    /// the first order. JSON escapes every separator inside a value, so distinct requests never share a serialisation.
    /// A key stored before this form still matches its own request through <see cref="LegacyRequestHash"/> (a SHA-256 of
    /// one form never equals one of the other for a different request), so retries across the upgrade still replay.
    /// </summary>
    private static string Hash(IReadOnlyList<RequestedLine> lines, ShippingAddress address)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("lines");
            foreach (var line in lines)
            {
                json.WriteStartArray();
                json.WriteStringValue(line.Sku);
                json.WriteNumberValue(line.Quantity);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteStartArray("address");
            foreach (var field in (string?[])[address.Name, address.Line1, address.Line2, address.City, address.PostalCode, address.Country])
            {
                if (field is null) json.WriteNullValue(); else json.WriteStringValue(field);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The hash keys stored before the canonical form were made with (fields joined with tab and newline).</summary>
    public string LegacyRequestHash
    {
        get
        {
            var lines = CartId is { } cartId ? [new RequestedLine("cart:" + cartId, 0)] : Lines;
            var joined = string.Join('\n', lines.Select(l => $"{l.Sku}\t{l.Quantity}"))
                + $"\n{Address.Name}\t{Address.Line1}\t{Address.Line2}\t{Address.City}\t{Address.PostalCode}\t{Address.Country}";
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
        }
    }
}
