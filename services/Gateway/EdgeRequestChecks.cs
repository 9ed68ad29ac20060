using Ecommerce.Domain;
using Ecommerce.Http.Input;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway;

/// <summary>What the edge refuses before a request is rate limited or forwarded.</summary>
public static class EdgeRequestChecks
{
    /// <returns>The 400 to answer, or null to go on.</returns>
    public static IResult? Refusal(HttpContext context)
    {
        // Kestrel removes dot segments after decoding, and YARP forwards the result: DELETE …/items/%2e%2e would reach the
        // service as DELETE /api/carts/{id}. The raw target still shows them.
        if (RequestPaths.HasDotSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget))
        {
            return ValidationProblems.For("path", "Path segments may not be '.' or '..', encoded or not.");
        }

        // Header values are ASCII (RFC 9110 §5.5): the proxy's HttpClient refuses anything else, which was a 502 on any route.
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null && value.Any(c => c > '\u007e' || (c < ' ' && c != '\t')))
                {
                    return ValidationProblems.For(name, "Header values must be visible ASCII characters.");
                }
            }
        }

        return null;
    }

    /// <summary>Repeated and trailing slashes removed: the spelling routing treats as the same endpoint.</summary>
    public static string CanonicalPath(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', segments);
    }
}
