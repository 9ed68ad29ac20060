using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ecommerce.Contracts.Events;
using Ecommerce.Domain;
using Ecommerce.Http.Input;

namespace Catalog.Api.Products;

public sealed record VariantRequest(string? Sku, Dictionary<string, JsonElement>? Attributes, decimal? Price);

/// <summary>A product as an admin writes it. Id, version and timestamps are the server's; unknown fields are ignored.</summary>
public sealed record ProductRequest(
    string? Sku, string? Name, string? Description, string? Brand, string? Category, decimal? Price, string? Currency,
    Dictionary<string, JsonElement>? Attributes, List<VariantRequest>? Variants, List<string>? Images, string? Status);

public sealed record VariantResponse(string Sku, IReadOnlyDictionary<string, JsonElement> Attributes, decimal? Price);

public sealed record ProductResponse(
    Guid Id, string Sku, string Name, string Description, string Brand, string Category, decimal Price, string Currency,
    IReadOnlyDictionary<string, JsonElement> Attributes, IReadOnlyList<VariantResponse> Variants, IReadOnlyList<string> Images,
    string Status, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ProductResponse From(Product p) => new(
        p.Id, p.Sku, p.Name, p.Description, p.Brand, p.Category, p.Price, p.Currency,
        JsonSerializer.Deserialize(p.Attributes, CatalogJson.Default.DictionaryStringJsonElement)!,
        JsonSerializer.Deserialize(p.Variants, CatalogJson.Default.ListVariantResponse)!,
        p.Images, p.Status, p.Version, p.CreatedAt, p.UpdatedAt);

    public ProductSnapshot ToSnapshot() => new(Id, Sku, Name, Description, Brand, Category, Price, Currency, Attributes,
        Variants.Select(v => new VariantSnapshot(v.Sku, v.Attributes, v.Price)).ToList(), Images, Status, Version, CreatedAt, UpdatedAt);
}

/// <summary>
/// A product request that parsed: canonical skus, trimmed text, a price and a currency — nothing the write needs is
/// missing, so nothing after parsing checks again.
/// </summary>
public sealed record ProductCommand(
    string Sku, string Name, string Description, string Brand, string Category, decimal Price, string Currency,
    IReadOnlyDictionary<string, JsonElement> Attributes, IReadOnlyList<VariantResponse> Variants, IReadOnlyList<string> Images,
    string Status)
{
    /// <summary>
    /// Parses, rather than validates: either a command, or the refused fields (request field → messages) within the
    /// documented limits of <see cref="ProductRules"/>. Skus are compared in their canonical form.
    /// </summary>
    public static bool TryParse(ProductRequest request,
        [NotNullWhen(true)] out ProductCommand? command, [NotNullWhen(false)] out Dictionary<string, string[]>? errors)
    {
        var r = ProductRules.Canonical(request);
        var refused = new Dictionary<string, string[]>();
        void Fail(string field, string message) => refused[field] = [message];

        var sku = ProductRules.IsSku(r.Sku) ? r.Sku : null;
        if (sku is null) Fail("sku", Identifiers.SkuRule);
        var name = Text(r.Name, 200);
        if (name is null) Fail("name", "Required, at most 200 characters.");
        if (r.Description?.Length > 4000) Fail("description", "At most 4000 characters.");
        var brand = Text(r.Brand, 100);
        if (brand is null) Fail("brand", "Required, at most 100 characters.");
        var category = Text(r.Category, 100);
        if (category is null) Fail("category", "Required, at most 100 characters.");
        var price = r.Price;
        if (ProductRules.PriceError(price, required: true) is { } priceError)
        {
            Fail("price", priceError);
            price = null;
        }

        var currency = r.Currency is { } c && ProductRules.CurrencyPattern().IsMatch(c) ? c : null;
        if (currency is null) Fail("currency", "A three-letter ISO 4217 code in upper case, e.g. EUR.");
        if (r.Status is not null && !ProductStatus.All.Contains(r.Status)) Fail("status", "One of draft, active, archived.");
        if (ProductRules.AttributesError(r.Attributes) is { } attributesError) Fail("attributes", attributesError);

        var variants = r.Variants ?? [];
        var parsedVariants = new List<VariantResponse>(Math.Min(variants.Count, ProductRules.MaxVariants));
        if (variants.Count > ProductRules.MaxVariants) Fail("variants", $"At most {ProductRules.MaxVariants} variants.");
        for (var i = 0; i < variants.Count && i < ProductRules.MaxVariants; i++)
        {
            var v = variants[i];
            var variantSku = ProductRules.IsSku(v.Sku) && v.Sku != r.Sku ? v.Sku : null;
            if (variantSku is null) Fail($"variants[{i}].sku", "A valid sku, different from the product's.");
            if (ProductRules.PriceError(v.Price, required: false) is { } e) Fail($"variants[{i}].price", e);
            if (ProductRules.AttributesError(v.Attributes) is { } a) Fail($"variants[{i}].attributes", a);
            if (variantSku is not null) parsedVariants.Add(new VariantResponse(variantSku, v.Attributes ?? [], v.Price));
        }

        if (variants.Select(v => v.Sku).Distinct().Count() != variants.Count) Fail("variants", "Variant skus must be unique.");

        var images = r.Images ?? [];
        if (images.Count > ProductRules.MaxImages || images.Any(u => u.Length > 500 || !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            Fail("images", $"At most {ProductRules.MaxImages} absolute http(s) URLs of at most 500 characters.");
        }

        // Every null above was refused; a refusal of anything else (description, status, attributes…) refuses the request too.
        if (sku is null || name is null || brand is null || category is null || price is not { } amount || currency is null || refused.Count > 0)
        {
            (command, errors) = (null, refused);
            return false;
        }

        (command, errors) = (new ProductCommand(sku, name, r.Description?.Trim() ?? "", brand, category, amount, currency,
            r.Attributes ?? [], parsedVariants, images.ToList(), r.Status ?? ProductStatus.Draft), null);
        return true;
    }

    /// <summary>The product this command writes, under the server's id, version and timestamps.</summary>
    public ProductResponse ToResponse(Guid id, long version, DateTimeOffset createdAt, DateTimeOffset now) => new(
        id, Sku, Name, Description, Brand, Category, Price, Currency, Attributes, Variants, Images, Status, version, createdAt, now);

    // Required text within its length (checked as sent), trimmed.
    private static string? Text(string? value, int max) => string.IsNullOrWhiteSpace(value) || value.Length > max ? null : value.Trim();
}

/// <param name="Total">How many products match the filters (every page, whatever the cursor), counted up to
/// <see cref="Browse.TotalCap"/>: a hint for "1,234 results", not a page count.</param>
/// <param name="TotalIsExact">False when more than <see cref="Browse.TotalCap"/> match: show "1,000+".</param>
public sealed record ProductPage(IReadOnlyList<ProductResponse> Items, string? NextCursor, long Total = 0, bool TotalIsExact = true);

public sealed record FacetCount(string Value, int Count);

/// <summary>The documented limits of a product. Anything outside them is a 400 problem and nothing is stored.</summary>
public static partial class ProductRules
{
    public const int MaxAttributes = 50;
    public const int MaxAttributeBytes = 8 * 1024;
    public const int MaxStringValue = 200;
    public const int MaxArrayItems = 20;
    public const int MaxVariants = 50;
    public const int MaxImages = 10;
    public const decimal MaxPrice = 1_000_000m;

    // \z, not $: "$" also matches before a final newline.
    [GeneratedRegex(@"\A[a-z][a-zA-Z0-9_]{0,39}\z")]
    private static partial Regex AttributeName();

    [GeneratedRegex(@"\A[A-Z]{3}\z")]
    internal static partial Regex CurrencyPattern();

    /// <summary>A sku in its one canonical form (upper case, see <see cref="Identifiers"/>): the only form stored or compared.</summary>
    public static bool IsSku([NotNullWhen(true)] string? value) => value is not null && Identifiers.CanonicalSkuOrNull(value) == value;

    /// <summary>
    /// The request with its skus in canonical form (trimmed, upper case), so "cof-1" and "COF-1 " are the sku "COF-1" and
    /// uniqueness is checked on that. A sku that has no canonical form is left as sent, for the parser to refuse.
    /// </summary>
    public static ProductRequest Canonical(ProductRequest r) => r with
    {
        Sku = Identifiers.CanonicalSkuOrNull(r.Sku) ?? r.Sku,
        Variants = r.Variants?.Select(v => v with { Sku = Identifiers.CanonicalSkuOrNull(v.Sku) ?? v.Sku }).ToList(),
    };

    public static bool IsAttributeName(string name) => AttributeName().IsMatch(name);

    internal static string? PriceError(decimal? price, bool required) => price switch
    {
        null => required ? "Required." : null,
        <= 0 => "Must be greater than 0.",
        > MaxPrice => $"At most {MaxPrice}.",
        { } p when decimal.Round(p, 2) != p => "At most two decimal places.",
        _ => null,
    };

    internal static string? AttributesError(Dictionary<string, JsonElement>? attributes)
    {
        if (attributes is null)
        {
            return null;
        }

        if (attributes.Count > MaxAttributes)
        {
            return $"At most {MaxAttributes} attributes.";
        }

        foreach (var (name, value) in attributes)
        {
            if (!AttributeName().IsMatch(name))
            {
                return $"'{name}': names start with a lower-case letter, then letters, digits or '_', 40 characters at most.";
            }

            var ok = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!.Length <= MaxStringValue,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => true,
                JsonValueKind.Array => value.GetArrayLength() <= MaxArrayItems
                    && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String && item.GetString()!.Length <= 100),
                _ => false,
            };
            if (!ok)
            {
                return $"'{name}': a string (≤ {MaxStringValue}), number, boolean, or array of ≤ {MaxArrayItems} strings (≤ 100 each).";
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(attributes, CatalogJson.Default.DictionaryStringJsonElement).Length > MaxAttributeBytes
            ? $"At most {MaxAttributeBytes} bytes of attributes in all."
            : null;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<VariantResponse>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, JsonElement>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<VariantResponse>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ProductResponse))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BrowseCursor))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(decimal))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<JsonElement>))]
public sealed partial class CatalogJson : System.Text.Json.Serialization.JsonSerializerContext;
