using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Ecommerce.Authentication;
using Ecommerce.Http.Problems;

namespace Ecommerce.Http.Input;

/// <summary>
/// The one edge check of every service, in front of every endpoint (so an endpoint added later is covered too):
/// a path spelled with dot segments, a credential that was sent but is not valid, and text a store cannot hold in a
/// route value, a query parameter, the Idempotency-Key or any JSON string, and a null element of any JSON array, are
/// refused before any handler runs.
/// Field rules (lengths, ranges, formats) stay with each endpoint; this only decides what is text at all.
/// </summary>
public static class RequestGuard
{
    public const int MaxQueryValueLength = 2048;

    public static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        if (RequestPaths.HasDotSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget))
        {
            await ValidationProblems.For("path", "Path segments may not be '.' or '..', encoded or not.").ExecuteAsync(context);
            return;
        }

        if (SentCredentials.AreInvalid(context))
        {
            SentCredentials.Challenge(context);
            await Problem.Of(ProblemTypes.InvalidToken, SentCredentials.RefusalDetail).ExecuteAsync(context);
            return;
        }

        if ((FirstTextError(context) ?? await BodyTextErrorAsync(context.Request)) is { } refused)
        {
            await ValidationProblems.For(refused.Field, refused.Error).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static (string Field, string Error)? FirstTextError(HttpContext context)
    {
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && TextRules.Error(text, TextKind.Identifier) is { } error) return (name, error);
        }

        foreach (var (name, values) in context.Request.Query)
        {
            if (TextRules.Error(name, TextKind.Line) is { } nameError) return ("query", nameError);
            foreach (var value in values)
            {
                if (value is null) continue;
                if (value.Length > MaxQueryValueLength) return (name, $"At most {MaxQueryValueLength} characters.");
                if (TextRules.Error(value, TextKind.Line) is { } error) return (name, error);
            }
        }

        // Stored with the order it protects, and matched by equality.
        foreach (var key in context.Request.Headers["Idempotency-Key"])
        {
            if (key is not null && TextRules.Error(key, TextKind.Identifier) is { } error) return ("Idempotency-Key", error);
        }

        return null;
    }

    /// <summary>Reads a JSON body once into memory (Kestrel's body size limit bounds it) and hands the endpoint a rewound copy.</summary>
    private static async Task<(string Field, string Error)?> BodyTextErrorAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType() || request.ContentLength == 0) return null;

        var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        buffer.Position = 0;
        request.Body = buffer;
        request.HttpContext.Response.RegisterForDispose(buffer);
        return JsonTextScanner.Scan(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
