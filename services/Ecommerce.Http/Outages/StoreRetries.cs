using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Ecommerce.Http.Outages;

/// <summary>
/// A service's PostgreSQL DbContext: Aspire's client integration (pooling, health check, telemetry) with brief
/// retries. Aspire's default retrying strategy (6 retries, delays growing towards 30 s) waits out a long outage
/// inside the request, so during a PostgreSQL crash every caller hung until its request budget ran out (15 s,
/// measured by the fault suite, docs/reliability.md). A shopper is waiting: ride out a blip of about
/// <see cref="RetryCount"/> × <see cref="MaxRetryDelay"/>, then answer an honest 503 with Retry-After.
/// </summary>
public static class StoreRetries
{
    public const int RetryCount = 3;
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    public static void AddServiceDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName) where TContext : DbContext =>
        // Aspire applies its own UseNpgsql first and this delegate after it, so these retries replace its defaults.
        builder.AddNpgsqlDbContext<TContext>(connectionName, configureDbContextOptions: options =>
            options.UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(RetryCount, MaxRetryDelay, errorCodesToAdd: null)));
}
