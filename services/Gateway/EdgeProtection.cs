using System.ComponentModel.DataAnnotations;
using Ecommerce.Http.Problems;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Gateway;

/// <summary>Settings under <c>Gateway</c>: what the public edge allows before a request reaches a service.</summary>
public sealed class EdgeOptions
{
    /// <summary>Sign-in, register and refresh calls per client IP per minute (brute-force throttle).</summary>
    [Range(1, int.MaxValue)]
    public int SignInPerMinute { get; set; } = 10;

    /// <summary>Writes (POST/PUT/PATCH/DELETE) per signed-in user, or per IP for anonymous callers, per minute.</summary>
    [Range(1, int.MaxValue)]
    public int WritesPerMinute { get; set; } = 120;

    [Range(1, 1L << 30)]

    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long one downstream health probe answers the public <c>/health</c> (bounds its fan-out).</summary>
    [Range(0, 60_000)]
    public int HealthProbeCacheMilliseconds { get; set; } = 1000;

    /// <summary>Origins allowed to call the API from a browser (the storefront).</summary>
    public string[] CorsOrigins { get; set; } = [];
}

/// <summary>
/// Rate limits, body size limit and CORS at the gateway. Reads are not rate limited here: they are cheap,
/// cached, and the benchmark drives them from one address; writes and credential checks are what attackers script.
/// </summary>
public static class EdgeProtection
{
    private static readonly string[] CredentialPaths = ["/api/identity/token", "/api/identity/register", "/api/identity/refresh"];

    public static void AddEdgeProtection(this WebApplicationBuilder builder)
    {
        var options = builder.AddValidatedOptions<EdgeOptions>("Gateway");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);

        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(options.CorsOrigins)
            .WithMethods("GET", "HEAD", "POST", "PUT", "DELETE")
            // If-None-Match: a browser revalidating a product it holds (304) is a conditional request the API answers.
            .WithHeaders("Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key")
            .WithExposedHeaders("ETag", "Location", "Retry-After")));

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options));
            limiter.OnRejected = WriteTooManyRequestsAsync;
        });
    }

    public static void UseEdgeProtection(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<EdgeOptions>();
        app.UseCors();
        app.Use(async (context, next) =>
        {
            // Kestrel enforces the limit on the stream; a declared oversize body is refused before any work.
            if (context.Request.ContentLength > options.MaxRequestBodyBytes)
            {
                await Problem.Of(ProblemTypes.PayloadTooLarge, $"Request bodies are limited to {options.MaxRequestBodyBytes} bytes.").ExecuteAsync(context);
                return;
            }

            if (EdgeRequestChecks.Refusal(context) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        app.UseAuthentication();
        app.UseRateLimiter();
    }

    private static RateLimitPartition<string> Partition(HttpContext context, EdgeOptions options)
    {
        var request = context.Request;
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // On the path's canonical spelling: "token/", "TOKEN" and "//token" reach the same endpoint and share its limit.
        var path = EdgeRequestChecks.CanonicalPath(request.Path);
        if (HttpMethods.IsPost(request.Method) && CredentialPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            return RateLimitPartition.GetFixedWindowLimiter("credentials:" + ip, _ => Window(options.SignInPerMinute));
        }

        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method)
            || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method))
        {
            // A valid token (checked by UseAuthentication) names the user; anything else counts against the IP.
            var caller = context.User.GetUserId() is { } user ? "user:" + user : "ip:" + ip;
            return RateLimitPartition.GetFixedWindowLimiter("writes:" + caller, _ => Window(options.WritesPerMinute));
        }

        return RateLimitPartition.GetNoLimiter("reads");
    }

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };

    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problem.Of(ProblemTypes.RateLimited, $"Rate limit reached for this kind of request; retry after {seconds} s.").ExecuteAsync(context);
    }
}
