using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ecommerce.Http.Input;

/// <summary>The 400 every service answers for input it refuses: RFC 9457, with <c>errors</c> keyed by the field as the client spelled it.</summary>
public static class ValidationProblems
{
    public const string Type = "https://polyglot-commerce.dev/problems/validation";
    public const string Title = "Invalid request";

    public static IResult For(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: $"{field}: {message}", title: Title, type: Type);

    /// <summary>The same problem as a <see cref="ProblemHttpResult"/>, for endpoints whose typed results already include one.</summary>
    public static ProblemHttpResult Field(string field, string message) =>
        TypedResults.Problem($"{field}: {message}", statusCode: StatusCodes.Status400BadRequest, title: Title, type: Type,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
