using Microsoft.AspNetCore.Http.HttpResults;

namespace Ordering.Api.Infrastructure;

/// <summary>Problem responses with stable <c>type</c> URIs and titles, so clients can branch on them.</summary>
public static class Problems
{
    public static ProblemHttpResult Validation(string detail, IDictionary<string, object?>? extensions = null) =>
        Make(StatusCodes.Status400BadRequest, "validation", "Invalid request", detail, extensions);

    public static ProblemHttpResult NotFound(string detail) =>
        Make(StatusCodes.Status404NotFound, "not-found", "Not found", detail);

    public static ProblemHttpResult OutOfStock(IReadOnlyList<ShortLine> lines) =>
        Make(StatusCodes.Status409Conflict, "out-of-stock", "Not enough stock",
            "Some lines cannot be reserved; nothing was reserved.", new Dictionary<string, object?> { ["shortLines"] = lines });

    public static ProblemHttpResult InvalidTransition(string detail) =>
        Make(StatusCodes.Status409Conflict, "invalid-transition", "Not allowed in the order's current state", detail);

    public static ProblemHttpResult Conflict(string detail) =>
        Make(StatusCodes.Status409Conflict, "conflict", "Conflict", detail);

    public static ProblemHttpResult IdempotencyKeyReused() =>
        Make(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Idempotency key reused",
            "This Idempotency-Key was already used with a different request body.");

    /// <summary>A problem the payments service answered (declined, in progress, already charged…), passed on as it is.</summary>
    public static ProblemHttpResult FromPayments(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: type);

    public static ProblemHttpResult Unavailable(string detail) =>
        Make(StatusCodes.Status503ServiceUnavailable, "dependency-unavailable", "A service this call needs is unavailable", detail);

    private static ProblemHttpResult Make(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Ecommerce.Http.Problems.Problem.Of(status, type, title, detail, extensions);
}

public sealed record ShortLine(string Sku, int Requested, int Available);
