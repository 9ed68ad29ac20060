using Microsoft.AspNetCore.Http;

namespace Ecommerce.Authentication;

/// <summary>
/// A request that carries an Authorization header whose credential did not validate (expired, tampered, another
/// scheme) is refused with 401 on every endpoint, anonymous ones included. Ignoring it turned an expired token on
/// <c>POST /api/carts</c> into a guest cart the user never asked for; the client must refresh or drop the header.
/// </summary>
public static class SentCredentials
{
    public static bool AreInvalid(HttpContext context) =>
        context.Request.Headers.Authorization.Count > 0 && context.User.Identity?.IsAuthenticated != true;

    /// <summary>Why the request is refused; the problem itself is written by the HTTP edge from the platform's table of problem types.</summary>
    public const string RefusalDetail = "The Authorization header was sent but its token is not valid (expired, signed out or malformed). "
        + "Refresh it, or send the request without the header to act as a guest.";

    /// <summary>Sets the RFC 6750 challenge that goes with the 401.</summary>
    public static void Challenge(HttpContext context) => context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
}
