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

    public static Task RefuseAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return TypedResults.Problem("The Authorization header was sent but its token is not valid (expired, signed out or malformed). "
                + "Refresh it, or send the request without the header to act as a guest.",
            statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
            type: "https://polyglot-commerce.dev/problems/invalid-token").ExecuteAsync(context);
    }
}
