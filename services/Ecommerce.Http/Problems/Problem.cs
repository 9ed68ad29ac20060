using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ecommerce.Http.Problems;

/// <summary>RFC 9457 problems built from the one table (<see cref="ProblemTypes"/>), so every service's problems read alike.</summary>
public static class Problem
{
    /// <summary>A problem of <paramref name="type"/>: its status, title and type URI come from the table, the detail from the caller.</summary>
    public static ProblemHttpResult Of(ProblemType type, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: type.Status, title: type.Title, type: type.Uri, extensions: extensions);
}
