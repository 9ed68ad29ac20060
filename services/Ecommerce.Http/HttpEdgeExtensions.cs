using Ecommerce.Http;
using Ecommerce.Http.Input;
using Ecommerce.Http.Outages;
using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The HTTP edge every API service shares: how it answers, and in which order its middleware runs.</summary>
public static class HttpEdgeExtensions
{
    /// <summary>
    /// Problem details (RFC 9457) for every error, honest answers to outages (503 + Retry-After within a request budget),
    /// strict binding whose failures name the field, and no server banner.
    /// </summary>
    public static TBuilder AddHttpEdge<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // A bare status (the JWT challenge's 401, a 403, a 404 for no route) gets its type and title from the table too.
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context => BareStatusProblems.Fill(context));
        builder.Services.AddOutageResponses(builder.Configuration);
        builder.Services.AddRequestValidation();
        // A request the framework could not read (malformed JSON, wrong content type) is the client's 400, not our
        // 500: without this, UseExceptionHandler turns BadHttpRequestException into "500 Internal Server Error".
        builder.Services.Configure<ExceptionHandlerOptions>(options => options.StatusCodeSelector =
            exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        // No "Server: Kestrel" banner on any response (OWASP API8): it tells an attacker what to look up.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// The middleware every API service runs, in this order: problem details for exceptions and bare status codes,
    /// outage answers (store outages are 503 with Retry-After, a time budget per request), HEAD answered as GET
    /// without a body, routing, authentication, authorization, the edge check of every input (RequestGuard), then
    /// the health endpoints.
    /// </summary>
    public static WebApplication UseHttpEdge(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOutageResponses();
        // Routing is explicit so HEAD is turned into GET before a route is matched (else every HEAD would be a 405).
        app.UseHeadAsGet();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        // After authentication, so an invalid credential is a 401 before any input is looked at.
        app.UseRequestGuard();
        app.MapDefaultEndpoints();
        return app;
    }
}
