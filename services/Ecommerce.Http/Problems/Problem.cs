using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ecommerce.Http.Problems;

/// <summary>RFC 9457 problems with the platform's stable <c>type</c> URIs, so every service's problems read alike.</summary>
public static class Problem
{
    public const string TypeBase = "https://polyglot-commerce.dev/problems/";

    public static ProblemHttpResult Of(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);
}
