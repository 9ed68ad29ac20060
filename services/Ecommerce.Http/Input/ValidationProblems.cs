using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ecommerce.Http.Input;

/// <summary>
/// The 400 every service answers for input it refuses: RFC 9457 with the table's validation type and title, and
/// <c>errors</c> keyed by the field as the client spelled it (camelCase JSON names), each an array of messages.
/// </summary>
public static class ValidationProblems
{
    public static string Type => ProblemTypes.Validation.Uri;
    public static string Title => ProblemTypes.Validation.Title;

    public static ValidationProblem For(string field, string message) =>
        For(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem For(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: Describe(errors), title: Title, type: Type);

    /// <summary>The same problem as a <see cref="ProblemHttpResult"/>, for endpoints whose typed results already include one.</summary>
    public static ProblemHttpResult Field(string field, string message) =>
        Fields(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Fields(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(Describe(errors), statusCode: StatusCodes.Status400BadRequest, title: Title, type: Type,
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>
    /// One field's problem with a <c>detail</c> of its own — a sentence clients read before the answer had <c>errors</c>,
    /// kept word for word — and further members beside <c>errors</c> (the skus refused, say).
    /// </summary>
    public static ProblemHttpResult Field(string field, string message, string detail, IDictionary<string, object?>? extensions = null) =>
        Fields(new Dictionary<string, string[]> { [field] = [message] }, detail, extensions);

    /// <inheritdoc cref="Field(string, string, string, IDictionary{string, object?}?)"/>
    public static ProblemHttpResult Fields(IDictionary<string, string[]> errors, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: Title, type: Type,
            extensions: new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["errors"] = errors });

    // One line a person reads in a log or a client's error box; `errors` is what a program reads.
    private static string Describe(IDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}
