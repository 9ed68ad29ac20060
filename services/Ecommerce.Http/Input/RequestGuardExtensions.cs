using Ecommerce.Http.Input;

namespace Microsoft.AspNetCore.Builder;

public static class RequestGuardExtensions
{
    /// <summary>
    /// The edge check of <see cref="RequestGuard"/>. Place it after UseAuthentication and UseAuthorization: it reads the
    /// route values and the authenticated user, and endpoints that require a user have already answered 401/403.
    /// </summary>
    public static IApplicationBuilder UseRequestGuard(this IApplicationBuilder app) => app.Use(RequestGuard.GuardAsync);
}
