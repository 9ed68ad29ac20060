using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ordering.Api.Infrastructure;

/// <summary>Problem responses with stable <c>type</c> URIs and titles, so clients can branch on them.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) => Problem.Of(ProblemTypes.NotFound, detail);

    public static ProblemHttpResult OutOfStock(IReadOnlyList<ShortLine> lines) =>
        Problem.Of(ProblemTypes.OutOfStock, "Some lines cannot be reserved; nothing was reserved.",
            new Dictionary<string, object?> { ["shortLines"] = lines });

    public static ProblemHttpResult InvalidTransition(string detail) => Problem.Of(ProblemTypes.InvalidTransition, detail);

    public static ProblemHttpResult Conflict(string detail) => Problem.Of(ProblemTypes.Conflict, detail);

    public static ProblemHttpResult IdempotencyKeyReused() =>
        Problem.Of(ProblemTypes.IdempotencyKeyReused, "This Idempotency-Key was already used with a different request body.");

    /// <summary>A problem the payments service answered (declined, in progress, already charged…), passed on as it is.</summary>
    public static ProblemHttpResult FromPayments(int status, string type, string title, string detail) =>
        ProblemTypes.FromUri(type) is { } known && known.Status == status
            ? Problem.Of(known, detail)
            : TypedResults.Problem(detail, statusCode: status, title: title, type: type);

    public static ProblemHttpResult Unavailable(string detail) => Problem.Of(ProblemTypes.DependencyUnavailable, detail);
}

public sealed record ShortLine(string Sku, int Requested, int Available);
