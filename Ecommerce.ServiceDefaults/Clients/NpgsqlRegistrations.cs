using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// PostgreSQL registrations with the names, keys and defaults of Aspire.Npgsql and
/// Aspire.Npgsql.EntityFrameworkCore.PostgreSQL (settings under <c>Aspire:Npgsql</c>).
/// </summary>
public static class NpgsqlRegistrations
{
    private const string NpgsqlSection = "Aspire:Npgsql";
    private const string EfSection = "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL";

    public static void AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName,
        Action<NpgsqlDataSourceBuilder>? configure = null)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, NpgsqlSection, connectionName);
        builder.Services.AddSingleton(sp =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.UseLoggerFactory(sp.GetService<ILoggerFactory>());
            configure?.Invoke(dataSource);
            return dataSource.Build();
        });
        builder.Services.AddSingleton<System.Data.Common.DbDataSource>(sp => sp.GetRequiredService<NpgsqlDataSource>());

        if (!builder.Configuration.GetValue<bool>($"{NpgsqlSection}:DisableHealthChecks"))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"postgres-{connectionName}",
                sp => new NpgsqlHealthCheck(sp.GetRequiredService<NpgsqlDataSource>()),
                HealthStatus.Unhealthy,
                ["ready"]));
        }
    }

    /// <summary>
    /// A pooled DbContext on Npgsql that retries transient failures. Tracing comes from Npgsql's own
    /// ActivitySource (registered in ServiceDefaults), which EF Core's commands go through.
    /// </summary>
    public static void AddNpgsqlDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName,
        Action<DbContextOptionsBuilder>? configure = null) where TContext : DbContext
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, EfSection, connectionName);
        var disableRetry = builder.Configuration.GetValue<bool>($"{EfSection}:DisableRetry");
        var commandTimeout = builder.Configuration.GetValue<int?>($"{EfSection}:CommandTimeout");

        builder.Services.AddDbContextPool<TContext>(options =>
        {
            options.UseNpgsql(connectionString, npgsql =>
            {
                if (!disableRetry)
                {
                    npgsql.EnableRetryOnFailure();
                }

                if (commandTimeout is { } seconds)
                {
                    npgsql.CommandTimeout(seconds);
                }
            });
            configure?.Invoke(options);
        });

        if (!builder.Configuration.GetValue<bool>($"{EfSection}:DisableHealthChecks"))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"postgres-{connectionName}",
                sp => new DbContextHealthCheck<TContext>(sp),
                HealthStatus.Unhealthy,
                ["ready"]));
        }
    }

    private sealed class NpgsqlHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
    }

    private sealed class DbContextHealthCheck<TContext>(IServiceProvider services) : IHealthCheck where TContext : DbContext
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"cannot connect to {db.Database.GetDbConnection().Database}");
        }
    }
}
