using System.Text.Json;
using System.Text.RegularExpressions;
using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Ecommerce.Http.Input;

/// <summary>
/// A request the framework could not bind (JSON of the wrong type or malformed, a query value that is not a number,
/// a missing body) is the client's mistake: a 400 validation problem naming the field, logged at Information
/// without a stack trace. It used to be a bare "Bad Request", or an Error with a stack trace in Development.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || context.Response.HasStarted) return false;

        var (field, message) = Describe(bad);
        LogRefused(logger, context.Request.Method, context.Request.Path, bad.StatusCode, field, message);
        if (bad.StatusCode != StatusCodes.Status400BadRequest)
        {
            // 413, 415…: not a field's fault, the status says what is wrong. A status the table has no type of keeps its own
            // status (the client must see what the server refused) under the table's validation type and title.
            var type = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ProblemTypes.PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType => ProblemTypes.UnsupportedMediaType,
                _ => ProblemTypes.Validation,
            };
            await TypedResults.Problem(message, statusCode: bad.StatusCode, title: type.Title, type: type.Uri).ExecuteAsync(context);
            return true;
        }

        await ValidationProblems.For(field, message).ExecuteAsync(context);
        return true;
    }

    private static (string Field, string Message) Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
                : json.Path is { Length: > 1 } other && other.StartsWith('$') ? other[1..] : "body";
            // A JsonException of its own is a value of the wrong type; one wrapping a reader error is not JSON at all.
            return bad.InnerException.InnerException is null
                ? (field, "Has the wrong type: numbers are JSON numbers (not strings), text is a JSON string, lists are arrays.")
                : (field, "The body is not valid JSON here.");
        }

        if (ParameterName().Match(bad.Message) is { Success: true } parameter)
        {
            return (parameter.Groups["name"].Value, "Is missing or not a valid value of its type.");
        }

        return ("body", bad.StatusCode == StatusCodes.Status415UnsupportedMediaType
            ? "Send the body as application/json."
            : "The request could not be read: send a JSON body of the documented shape.");
    }

    // Framework messages name the parameter as "Type name": Failed to bind parameter "int? limit" from "x".
    [GeneratedRegex("""parameter "(?:[^"]*\s)?(?<name>[A-Za-z_][A-Za-z0-9_-]*)"\s""")]
    private static partial Regex ParameterName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Status} on {Field}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string path, int status, string field, string reason);
}
