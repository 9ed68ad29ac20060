using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Ecommerce.Http.Problems;

namespace EndToEnd.Tests;

/// <summary>
/// The error contract (docs/errors.md) checked against every operation every service publishes in its OpenAPI
/// document: each gets a malformed request — a zero-width space in every path value, a NUL in every query value, a
/// truncated JSON body where it takes one, or, when it takes no input at all, a forged credential — once without a
/// credential and once per role. Every answer must be a 4xx problem of the one shape: application/problem+json, a
/// type from the table with its title and status, and <c>errors</c> keyed by field on a validation problem.
/// An operation that takes input must refuse it (400/404/411/413/415) for at least one role, not only turn the caller away.
/// </summary>
public sealed class ErrorContractTests(PlatformFixture platform)
{
    private static readonly string[] Services = ["identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api"];
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];
    private static readonly HttpStatusCode[] InputRefusals =
        [HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.LengthRequired, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType];

    [Fact]
    public async Task Every_operation_in_every_OpenAPI_document_answers_a_malformed_request_with_a_problem_from_the_table()
    {
        var ct = TestContext.Current.CancellationToken;
        var credentials = new (string Role, string? Token)[]
        {
            ("anonymous", null), ("customer", TestTokens.Customer(Guid.CreateVersion7())),
            ("admin", TestTokens.Admin()), ("service", TestTokens.Service()),
        };
        var violations = new List<string>();
        var operations = 0;
        foreach (var service in Services)
        {
            using var client = new HttpClient { BaseAddress = platform.App.GetEndpoint(service, "http") };
            var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), ct))!;
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                foreach (var method in Methods)
                {
                    if (item![method] is not JsonObject operation) continue;
                    operations++;
                    var request = MalformedRequest.For(path, method, operation, item["parameters"] as JsonArray);
                    var refusedInput = false;
                    foreach (var (role, token) in credentials)
                    {
                        using var message = request.ToMessage(token);
                        using var response = await client.SendAsync(message, ct);
                        var name = $"{service} {method.ToUpperInvariant()} {path} as {role} ({request.Describe})";
                        if (await ShapeViolationAsync(response, ct) is { } violation) violations.Add($"{name}: {violation}");
                        refusedInput |= InputRefusals.Contains(response.StatusCode);
                    }

                    if (request.TakesInput && !refusedInput)
                    {
                        violations.Add($"{service} {method.ToUpperInvariant()} {path}: no role got its malformed input refused ({request.Describe})");
                    }
                }
            }
        }

        // Every service documents its operations: a document that lost its paths would make this test pass vacuously.
        Assert.True(operations >= 40, $"only {operations} operations in the OpenAPI documents");
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    /// <summary>What is wrong with this answer as a problem of the table, or null when nothing is.</summary>
    private static async Task<string?> ShapeViolationAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status is < 400 or >= 500) return $"status {status}, expected a 4xx";
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} with content type '{response.Content.Headers.ContentType}', expected application/problem+json";
        }

        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        }
        catch (JsonException ex)
        {
            return $"{status} whose body is not JSON: {ex.Message}";
        }

        var type = ProblemTypes.FromUri(problem.TryGetProperty("type", out var t) ? t.GetString() : null);
        if (type is null) return $"{status} of type '{(problem.TryGetProperty("type", out var u) ? u.ToString() : "(none)")}', not in the table";
        if (type.Status != status) return $"type {type.Slug} answered with {status}, the table says {type.Status}";
        if (!problem.TryGetProperty("title", out var title) || title.GetString() != type.Title) return $"type {type.Slug} titled '{title}', the table says '{type.Title}'";
        if (!problem.TryGetProperty("status", out var s) || s.GetInt32() != status) return $"type {type.Slug}: body status differs from {status}";
        if (type == ProblemTypes.Validation)
        {
            if (!problem.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object || !errors.EnumerateObject().Any())
            {
                return "validation problem without errors keyed by field";
            }

            foreach (var field in errors.EnumerateObject())
            {
                if (field.Value.ValueKind != JsonValueKind.Array || field.Value.GetArrayLength() == 0) return $"errors.{field.Name} is not a list of messages";
            }
        }

        return null;
    }

    /// <summary>The malformed request built for one documented operation.</summary>
    private sealed record MalformedRequest(HttpMethod Method, string Url, bool HasBody, bool TakesInput, string Describe)
    {
        // Invisible in a path (Kestrel refuses %00 there itself); NUL in a query value: no store can hold it.
        private const string PathValue = "A%E2%80%8BB";
        private const string QueryValue = "A%00B";

        public static MalformedRequest For(string path, string method, JsonObject operation, JsonArray? shared)
        {
            var parameters = (operation["parameters"] as JsonArray ?? []).Concat(shared ?? []).OfType<JsonObject>().ToList();
            var url = new StringBuilder(path);
            foreach (var p in parameters.Where(p => (string?)p["in"] == "path"))
            {
                url.Replace("{" + (string)p["name"]! + "}", PathValue);
            }

            var query = parameters.Where(p => (string?)p["in"] == "query").Select(p => $"{Uri.EscapeDataString((string)p["name"]!)}={QueryValue}").ToList();
            if (query.Count > 0) url.Append('?').AppendJoin('&', query);
            var hasBody = operation["requestBody"] is not null;
            var described = new List<string>();
            if (path.Contains('{')) described.Add("invisible path value");
            if (query.Count > 0) described.Add("NUL in the query");
            if (hasBody) described.Add("truncated JSON body");
            var takesInput = described.Count > 0;
            if (!takesInput) described.Add("forged credential");
            return new(new HttpMethod(method.ToUpperInvariant()), url.ToString(), hasBody, takesInput, string.Join(", ", described));
        }

        public HttpRequestMessage ToMessage(string? token)
        {
            var message = new HttpRequestMessage(Method, new Uri(Url, UriKind.Relative));
            if (HasBody) message.Content = new StringContent("{\"a\":", Encoding.UTF8, "application/json");
            if (!TakesInput) token = "not.a.jwt";
            if (token is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return message;
        }
    }
}
