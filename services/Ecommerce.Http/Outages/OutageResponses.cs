using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ecommerce.Http.Problems;
using Npgsql;
using StackExchange.Redis;

namespace Ecommerce.Http.Outages;

/// <summary>
/// Honest failures while a store or a service is down (issue 15): the caller gets a fast <c>503</c> problem with
/// <c>Retry-After</c>, never a hung request or a 500. Three parts:
/// <list type="bullet">
/// <item>a time budget per request (<c>ServiceDefaults:RequestTimeoutSeconds</c>, default 15): EF Core's retrying execution
/// strategy and Polly's retries wait out a short outage, but not longer than the caller should hang;</item>
/// <item>an exception handler that answers a store outage (a connection-level Npgsql error, Redis connection or timeout
/// errors, refused sockets, a broken circuit) with 503 instead of 500;</item>
/// <item>every 503 of the service carries <c>Retry-After</c> (<c>ServiceDefaults:RetryAfterSeconds</c>, default 2).</item>
/// </list>
/// </summary>
public static class OutageResponses
{
    public static string ProblemType => ProblemTypes.DependencyUnavailable.Uri;

    public static IServiceCollection AddOutageResponses(this IServiceCollection services, IConfiguration configuration)
    {
        var budget = TimeSpan.FromSeconds(configuration.GetValue("ServiceDefaults:RequestTimeoutSeconds", 15.0));
        services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = budget,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context => WriteAsync(context,
                $"The request did not complete within {budget.TotalSeconds:0.#} s: a store or service it needs is slow or down. Retry later; " +
                "an order retried with the same Idempotency-Key is placed at most once."),
        });
        services.AddExceptionHandler<DependencyUnavailableHandler>();
        return services;
    }

    /// <summary>Retry-After on every 503 (also the ones endpoints and health checks write themselves), then the time budget.</summary>
    public static WebApplication UseOutageResponses(this WebApplication app)
    {
        var retryAfter = app.Configuration.GetValue("ServiceDefaults:RetryAfterSeconds", 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable && !context.Response.Headers.ContainsKey("Retry-After"))
                {
                    context.Response.Headers.RetryAfter = retryAfter;
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>True when the exception (or one inside it) says a store or service could not be reached — not a bug, not bad input.</summary>
    public static bool IsUnavailable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    // Server-side: only "cannot serve now" is an outage (connection class 08, shutdown/starting 57P0x, too many connections 53300).
                    return postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300";
                case HttpRequestException { StatusCode: { } status } when (int)status < 500:
                    // A service that answered 4xx was reached: it refused what we sent. Calling that an outage told clients
                    // to retry a request that can never succeed (hardening round 3, defect 2).
                    return false;
                case NpgsqlException:
                case RedisConnectionException:
                case RedisTimeoutException:
                case SocketException:
                case TimeoutException:
                case HttpRequestException:
                case Polly.ExecutionRejectedException:
                    return true;
                case RedisServerException redis when redis.Message.StartsWith("LOADING", StringComparison.Ordinal):
                    return true; // Redis is reading its append-only file after a restart
            }
        }

        return false;
    }

    public static Task WriteAsync(HttpContext context, string detail) =>
        Problem.Of(ProblemTypes.DependencyUnavailable, detail).ExecuteAsync(context);
}

/// <summary>A store outage is a 503 problem (Retry-After is added for every 503), logged as a warning with no stack trace in the answer.</summary>
internal sealed partial class DependencyUnavailableHandler(ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted || !OutageResponses.IsUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, context.Request.Method, context.Request.Path, exception.GetType().Name, exception.Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await OutageResponses.WriteAsync(context, "A store or service this call needs could not be reached. Retry later; " +
            "an order retried with the same Idempotency-Key is placed at most once.");
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a dependency is unavailable ({Exception}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exception, string reason);
}
