using System.Security.Claims;
using Ecommerce.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static partial class AuthenticationExtensions
{
    /// <summary>
    /// JWT bearer validation with the shared key and issuer, plus the <c>signed-in</c> and <c>admin</c>
    /// policies, so a service enforces ownership and admin-only calls with one line per endpoint group.
    /// </summary>
    public static TBuilder AddDefaultAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var options = builder.Configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        var key = options.CreateSecurityKey();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<TokenIssuer>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    IssuerSigningKey = key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = JwtRegisteredClaimNames.Sub,
                    RoleClaimType = TokenIssuer.RoleClaim,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                jwt.Events = new JwtBearerEvents { OnMessageReceived = RefuseNonCanonicalTokens, OnTokenValidated = RefuseSignedOutSessionsAsync };
            });

        builder.Services.AddAuthorizationBuilder()
            // A signed-in caller is a user: its token's subject is a user id (SignedInUserId relies on it).
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser().RequireRole(Roles.Customer, Roles.Admin)
                .RequireAssertion(c => c.User.GetUserId() is not null))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Policies.Service, p => p.RequireAuthenticatedUser().RequireRole(Roles.Service));
        return builder;
    }

    /// <summary>A second spelling of a token (padding, stray bits) is refused before it is validated: see <see cref="CanonicalTokens"/>.</summary>
    private static Task RefuseNonCanonicalTokens(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !CanonicalTokens.IsCanonicalCompactJws(header.AsSpan("Bearer ".Length).Trim(' ')))
        {
            context.Fail("The bearer token is not a canonical compact JWS (three unpadded base64url segments).");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// A token of a signed-out session is refused by every service that has Redis (the gateway has none registered as
    /// the default connection, only a keyed one for its edge cache: it reads tokens only to pick rate-limit partitions). Tokens without a session (tests, tools) are not checked.
    /// If Redis cannot answer, the token is accepted and a warning logged: it still expires within its lifetime,
    /// and sign-out must not turn a Redis outage into every signed-in request failing.
    /// </summary>
    private static async Task RefuseSignedOutSessionsAsync(TokenValidatedContext context)
    {
        if (context.Principal?.FindFirstValue(SignedOutSessions.Claim) is not { } session) return;
        if (context.HttpContext.RequestServices.GetService<IConnectionMultiplexer>() is not { } redis) return;
        try
        {
            if (await SignedOutSessions.IsSignedOutAsync(redis, session))
            {
                context.Fail("The session of this token was signed out.");
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException) // a timeout is not a RedisException
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuthenticationExtensions));
            LogSessionCheckFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check whether a token's session was signed out; the token is accepted")]
    private static partial void LogSessionCheckFailed(ILogger logger, Exception exception);

    /// <summary>The signed-in user's id (the token's <c>sub</c>), or null for a guest or a malformed token.</summary>
    public static Guid? GetUserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    /// <summary>
    /// The user id of a caller the <see cref="Policies.SignedIn"/> policy admitted, which requires one; only for
    /// endpoints under that policy (elsewhere a caller may be a guest: use <see cref="GetUserId"/>).
    /// </summary>
    public static Guid SignedInUserId(this ClaimsPrincipal user) =>
        user.GetUserId() ?? throw new InvalidOperationException("A caller without a user id reached an endpoint of the signed-in policy.");

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);
}
