using System.Diagnostics.CodeAnalysis;
using Ecommerce.Http;
using Ecommerce.Http.Problems;
using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Catalog.Api.Products;

/// <summary>
/// Conditional requests on a product (RFC 9110 §13): its ETag is the strong tag <c>"v{version}"</c>. If-Match guards
/// writes with the strong comparison; If-None-Match on reads uses the weak one. Header parsing is <see cref="EntityTags"/>.
/// </summary>
public static class ProductConditions
{
    public static EntityTag ETagOf(long version) => EntityTag.Strong($"v{version}");

    /// <summary>
    /// Reads If-Match or If-None-Match: a null condition when the header is absent. A malformed value is a 400 naming the
    /// header, never treated as absent: in If-Match that would turn a guarded write into a blind one on a route where the
    /// header is optional, in If-None-Match it hides a client bug behind full answers. Only clients with a bug (or worse)
    /// send one: every tag this API hands out is well formed.
    /// </summary>
    public static bool TryRead(HttpRequest request, string header, out EntityTagCondition? condition,
        [NotNullWhen(false)] out ProblemHttpResult? malformed)
    {
        malformed = null;
        if (EntityTags.TryParseCondition(request.Headers[header], out condition)) return true;
        malformed = ValidationProblems.Field(header, "must be * or a comma-separated list of entity tags such as \"v3\" or W/\"v3\".");
        return false;
    }

    public static ProblemHttpResult Required() =>
        Problem.Of(ProblemTypes.PreconditionRequired,
            "Send If-Match with the product's ETag (GET it first), or If-Match: * to replace whatever is there.");

    public static ProblemHttpResult Stale(Guid id, long current) =>
        Problem.Of(ProblemTypes.StaleVersion, $"Product {id} is at version {current} (ETag \"v{current}\"); your If-Match does not match it " +
            "(a weak tag never does). GET it again.");
}
