using System.Text.Json;
using Bogus;
using Catalog.Api.Products;

namespace Catalog.Api.Seed;

/// <summary>
/// Realistic products for demos and load tests: several categories, each with its own attributes, and
/// variants where shoppers pick one (sizes, colours). Deterministic for a given seed.
/// </summary>
public static class ProductGenerator
{
    private sealed record Kind(string Category, string[] Brands, string[] Nouns, decimal MinPrice, decimal MaxPrice,
        Func<Faker, Dictionary<string, object>> Attributes, Func<Faker, string, List<VariantResponse>> Variants);

    private static readonly string[] Colors = ["black", "white", "red", "blue", "green", "grey", "navy", "beige"];

    private static readonly Kind[] Kinds =
    [
        new("shoes", ["Stride", "Northpeak", "Velo", "Urbana"], ["Runner", "Trail Shoe", "Sneaker", "Loafer", "Boot"], 39, 189,
            f => new() { ["color"] = f.PickRandom(Colors), ["material"] = f.PickRandom("leather", "mesh", "suede", "canvas"), ["waterproof"] = f.Random.Bool(0.3f) },
            (f, sku) => f.PickRandom(new[] { 38, 39, 40, 41, 42, 43, 44, 45 }, 4).Order()
                .Select(size => new VariantResponse($"{sku}-{size}", Attrs(new() { ["size"] = size }), null)).ToList()),
        new("t-shirts", ["Cotton & Co", "Basico", "Linea"], ["Tee", "Crew Neck", "V-Neck", "Polo"], 9, 49,
            f => new() { ["color"] = f.PickRandom(Colors), ["fabric"] = f.PickRandom("cotton", "organic cotton", "linen", "blend"), ["fit"] = f.PickRandom("slim", "regular", "loose") },
            (f, sku) => new[] { "S", "M", "L", "XL" }.Select(size => new VariantResponse($"{sku}-{size}", Attrs(new() { ["size"] = size }), null)).ToList()),
        new("laptops", ["Corvid", "Lumen", "Arcbook", "Tessel"], ["Laptop", "Ultrabook", "Notebook", "Workstation"], 499, 2999,
            f => new() { ["ramGb"] = f.PickRandom(8, 16, 32, 64), ["storageGb"] = f.PickRandom(256, 512, 1024, 2048), ["cpu"] = f.PickRandom("x5", "x7", "x9", "m3"),
                ["screenInches"] = f.PickRandom(13.3, 14, 15.6, 16), ["touchscreen"] = f.Random.Bool(0.25f) },
            (_, _) => []),
        new("coffee", ["Bean There", "Roastery 9", "Altura"], ["Espresso Blend", "Single Origin", "Filter Roast", "Decaf"], 6, 39,
            f => new() { ["origin"] = f.PickRandom("Ethiopia", "Colombia", "Brazil", "Kenya", "Guatemala"), ["roast"] = f.PickRandom("light", "medium", "dark"),
                ["organic"] = f.Random.Bool(), ["weightG"] = f.PickRandom(250, 500, 1000) },
            (_, _) => []),
        new("books", ["Paperhouse", "Quill", "Northbound Press"], ["Novel", "Guide", "Handbook", "Cookbook", "Atlas"], 8, 59,
            f => new() { ["author"] = f.Name.FullName(), ["pages"] = f.Random.Int(90, 900), ["format"] = f.PickRandom("paperback", "hardcover"),
                ["tags"] = f.Make(f.Random.Int(1, 3), () => f.PickRandom("fiction", "travel", "cooking", "history", "science", "kids")).Distinct().ToArray() },
            (_, _) => []),
        new("headphones", ["Sonora", "Quiet Co", "Bassline"], ["Headphones", "Earbuds", "Studio Monitor Headphones"], 19, 399,
            f => new() { ["wireless"] = f.Random.Bool(0.7f), ["noiseCancelling"] = f.Random.Bool(0.5f), ["color"] = f.PickRandom(Colors), ["batteryHours"] = f.Random.Int(0, 60) },
            (f, sku) => f.PickRandom(Colors, 2).Select(c => new VariantResponse($"{sku}-{c.ToUpperInvariant()}", Attrs(new() { ["color"] = c }), null)).ToList()),
    ];

    private static Dictionary<string, JsonElement> Attrs(Dictionary<string, object> values) =>
        values.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value));

    public static IEnumerable<ProductResponse> Generate(int count, int seed, DateTimeOffset now, int startIndex = 0)
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        for (var i = startIndex; i < startIndex + count; i++)
        {
            var kind = Kinds[i % Kinds.Length];
            var sku = $"{kind.Category[..3].ToUpperInvariant()}-{i:D7}";
            var brand = faker.PickRandom(kind.Brands);
            var name = $"{brand} {faker.Commerce.ProductAdjective()} {faker.PickRandom(kind.Nouns)}";
            var variants = kind.Variants(faker, sku);
            var created = now.AddMinutes(-(startIndex + count - i));
            yield return new ProductResponse(
                Guid.CreateVersion7(created), sku, name, faker.Commerce.ProductDescription(), brand, kind.Category,
                Math.Round(faker.Random.Decimal(kind.MinPrice, kind.MaxPrice), 2), "EUR", Attrs(kind.Attributes(faker)), variants,
                [$"https://images.polyglot-commerce.dev/{sku.ToLowerInvariant()}.jpg"], ProductStatus.Active, Version: 1, created, created);
        }
    }
}
