using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ecommerce.Http;

/// <summary>
/// HEAD on any GET route answers as GET without a body (RFC 9110 §9.3.2): same status, same headers (ETag included),
/// where minimal APIs would answer 405 because MapGet registers GET only. One middleware in front of routing covers
/// every GET endpoint of every service, including ones added later, instead of a HEAD mapping per route.
/// </summary>
public static class HeadRequests
{
    /// <summary>Must run before routing: the route is matched as GET.</summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        context.Request.Method = HttpMethods.Get;
        var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        // Kestrel already drops body bytes of a HEAD response, but not every server does (the test server does not):
        // discarding them here keeps the answer the same on any server.
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, body));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(body);
            context.Request.Method = HttpMethods.Head;
        }
    });
}
