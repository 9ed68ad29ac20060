using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Ecommerce.Testing.Hostile;

/// <summary>
/// The hostile-input classes every service's suite sends (linked into each test project, one catalogue for all), and
/// the one assertion: a 400 validation problem that names the field. Each suite also checks that nothing was stored.
/// </summary>
public static class HostileInput
{
    /// <summary>Refused in every text a client sends: a store cannot hold them, or they are not text at all.</summary>
    public static readonly string[] Unstorable = ["nul", "bell", "c1-control", "escape"];

    /// <summary>Refused where an identifier is expected (route values, skus, warehouses): they look like nothing.</summary>
    public static readonly string[] Invisible = ["zero-width-space", "bidi-override", "byte-order-mark"];

    /// <summary>Only a JSON escape can carry it: \ud800 with no partner is not Unicode text.</summary>
    public const string LoneSurrogate = "lone-surrogate";

    public static readonly string[] Json = [.. Unstorable, LoneSurrogate];

    /// <summary>
    /// A <c>null</c> element inside a JSON array (<c>"lines":[null]</c>): no endpoint takes one, so the shared edge refuses
    /// it with a 400 naming the element's path (<c>lines[0]</c>). It was a 500 in three services (hardening round 3).
    /// </summary>
    public const string NullElement = "null-element";

    public static readonly string[] Identifier = [.. Unstorable, .. Invisible];

    /// <summary>What a path can carry to the application: Kestrel itself refuses %00 in a path with a 400.</summary>
    public static readonly string[] InPath = [.. Identifier.Where(c => c != "nul")];

    public static TheoryData<string> UnstorableClasses() => Data(Unstorable);

    public static TheoryData<string> JsonClasses() => Data(Json);

    public static TheoryData<string> IdentifierClasses() => Data(Identifier);

    /// <summary>Every (field, class) pair: one theory case each, so a failure names both.</summary>
    public static TheoryData<string, string> Cases(IEnumerable<string> fields, IEnumerable<string> classes)
    {
        var data = new TheoryData<string, string>();
        foreach (var field in fields)
        {
            foreach (var inputClass in classes) data.Add(field, inputClass);
        }

        return data;
    }

    private static TheoryData<string> Data(IEnumerable<string> classes)
    {
        var data = new TheoryData<string>();
        foreach (var inputClass in classes) data.Add(inputClass);
        return data;
    }

    public static string Text(string inputClass) => inputClass switch
    {
        "nul" => "A\u0000B",
        "bell" => "A\u0007B",
        "c1-control" => "A\u0085B",
        "escape" => "A\u001b[2JB",
        "zero-width-space" => "A\u200BB",
        "bidi-override" => "A\u202EB",
        "byte-order-mark" => "\uFEFFAB",
        LoneSurrogate => "A\uD800B",
        _ => throw new ArgumentOutOfRangeException(nameof(inputClass), inputClass, null),
    };

    /// <summary>The value percent-encoded for a URL (UTF-8), as a hostile client would send it.</summary>
    public static string Url(string inputClass) => Uri.EscapeDataString(Text(inputClass));

    /// <summary>A JSON string literal with every non-ASCII or control character as a \u escape (lone surrogates included).</summary>
    public static string JsonString(string value)
    {
        var json = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\') json.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7E) json.Append($"\\u{(int)c:x4}");
            else json.Append(c);
        }

        return json.Append('"').ToString();
    }

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A JSON body from an object, with the placeholder string <c>"@@"</c> replaced by the hostile value of the class.</summary>
    public static StringContent JsonBody(object template, string inputClass) =>
        JsonBody(JsonSerializer.Serialize(template, JsonSerializerOptions.Web).Replace("\"@@\"", JsonString(Text(inputClass)), StringComparison.Ordinal));

    /// <summary>400, <c>application/problem+json</c>, and <c>errors</c> names <paramref name="field"/>.</summary>
    public static async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400 naming '{field}', got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
            $"the problem does not name '{field}': {body}");
    }
}
