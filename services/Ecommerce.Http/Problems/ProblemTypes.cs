namespace Ecommerce.Http.Problems;

/// <summary>One kind of problem a client can branch on: its <c>type</c> URI ends in <see cref="Slug"/>, with one status and one title.</summary>
public sealed record ProblemType(string Slug, int Status, string Title)
{
    /// <summary>The RFC 9457 <c>type</c>: https://polyglot-commerce.dev/problems/&lt;slug&gt;.</summary>
    public string Uri => ProblemTypes.UriBase + Slug;
}

/// <summary>
/// The one table of problem types of the platform (documented in docs/errors.md). Every service, the gateway and the
/// shared edge code answer from it, so a type never has two titles and no file builds a type URI of its own.
/// </summary>
public static class ProblemTypes
{
    public const string UriBase = "https://polyglot-commerce.dev/problems/";

    // Input the client can fix; validation problems carry `errors` keyed by field.
    public static readonly ProblemType Validation = new("validation", 400, "Invalid request");
    public static readonly ProblemType UnknownSku = new("unknown-sku", 400, "Unknown sku");
    public static readonly ProblemType VariantRequired = new("variant-required", 400, "Choose a variant");
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", 413, "Request body too large");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "Unsupported media type");

    // Who is asking.
    public static readonly ProblemType InvalidToken = new("invalid-token", 401, "Invalid credentials");
    public static readonly ProblemType InvalidCredentials = new("invalid-credentials", 401, "Sign-in failed");
    public static readonly ProblemType InvalidRefreshToken = new("invalid-refresh-token", 401, "Refresh failed");
    public static readonly ProblemType RateLimited = new("rate-limited", 429, "Too many requests");
    public static readonly ProblemType AuthenticationRequired = new("authentication-required", 401, "Authentication required");
    public static readonly ProblemType Forbidden = new("forbidden", 403, "Not allowed for this caller");

    // What exists and in which state.
    public static readonly ProblemType NotFound = new("not-found", 404, "Not found");
    public static readonly ProblemType Conflict = new("conflict", 409, "Conflict");
    public static readonly ProblemType EmailTaken = new("email-taken", 409, "Email taken");
    public static readonly ProblemType SkuConflict = new("sku-conflict", 409, "Sku already used");
    public static readonly ProblemType OutOfStock = new("out-of-stock", 409, "Not enough stock");
    public static readonly ProblemType InvalidTransition = new("invalid-transition", 409, "Not allowed in the order's current state");
    public static readonly ProblemType ReindexRunning = new("reindex-running", 409, "Already running");
    public static readonly ProblemType StaleVersion = new("stale-version", 412, "Precondition failed");
    public static readonly ProblemType PreconditionRequired = new("precondition-required", 428, "Precondition required");
    public static readonly ProblemType IdempotencyKeyReused = new("idempotency-key-reused", 422, "Idempotency key reused");

    // Payments.
    public static readonly ProblemType PaymentDeclined = new("payment-declined", 402, "Payment declined");
    public static readonly ProblemType PaymentInProgress = new("payment-in-progress", 409, "A payment of this order is in progress");
    public static readonly ProblemType AlreadyCharged = new("already-charged", 409, "This order was already charged");
    public static readonly ProblemType OrderNotPayable = new("order-not-payable", 409, "The order cannot be paid");

    // Outages: 503 with Retry-After.
    public static readonly ProblemType DependencyUnavailable = new("dependency-unavailable", 503, "A store or service this call needs is unavailable");
    public static readonly ProblemType ProviderUnavailable = new("provider-unavailable", 503, "The payment provider did not answer");
    public static readonly ProblemType ServiceUnavailable = new("service-unavailable", 503, "Service not deployed");

    // What the framework answers by itself (no route, wrong method, a body it could not read in time, a bug).
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", 405, "Method not allowed");
    public static readonly ProblemType RequestTimeout = new("request-timeout", 408, "Request body not received in time");
    public static readonly ProblemType LengthRequired = new("length-required", 411, "Content-Length required");
    public static readonly ProblemType Unexpected = new("unexpected", 500, "An unexpected error occurred");

    public static IReadOnlyList<ProblemType> All { get; } =
    [
        Validation, UnknownSku, VariantRequired, PayloadTooLarge, UnsupportedMediaType,
        InvalidToken, InvalidCredentials, InvalidRefreshToken, RateLimited, AuthenticationRequired, Forbidden,
        NotFound, Conflict, EmailTaken, SkuConflict, OutOfStock, InvalidTransition, ReindexRunning, StaleVersion,
        PreconditionRequired, IdempotencyKeyReused,
        PaymentDeclined, PaymentInProgress, AlreadyCharged, OrderNotPayable,
        DependencyUnavailable, ProviderUnavailable, ServiceUnavailable,
        MethodNotAllowed, RequestTimeout, LengthRequired, Unexpected,
    ];

    /// <summary>
    /// The type of an answer that carries only a status (the framework's 401/403 challenge, a 404 for no route, a 405,
    /// an exception's 500): the table's plain entry for that status, or null when the table has none.
    /// </summary>
    public static ProblemType? ForBareStatus(int status) => status switch
    {
        401 => AuthenticationRequired,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        408 => RequestTimeout,
        411 => LengthRequired,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        500 => Unexpected,
        503 => DependencyUnavailable,
        _ => null,
    };

    /// <summary>The entry whose URI is <paramref name="uri"/>, or null when the platform has no such type.</summary>
    public static ProblemType? FromUri(string? uri) => All.FirstOrDefault(t => t.Uri == uri);
}
