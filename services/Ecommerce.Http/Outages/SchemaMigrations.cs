using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Ecommerce.Http.Outages;

/// <summary>
/// Applies a service's migrations without the Error a fresh database used to log at every first start.
/// Why: Npgsql's history repository answers "the history table exists" without looking (a <c>search_path</c> makes the
/// check unreliable) and lets the first <c>SELECT … FROM "__EFMigrationsHistory"</c> fail with 42P01, which EF Core
/// logs as "Failed executing DbCommand" at Error before it creates the table (npgsql/efcore.pg#3407). Creating the
/// table first, with the provider's own <c>CREATE TABLE IF NOT EXISTS</c>, makes that read succeed; nothing else about
/// migrating changes.
/// </summary>
public static class SchemaMigrations
{
    public static async Task ApplyMigrationsAsync(this DatabaseFacade database, CancellationToken ct = default)
    {
        var createHistory = database.GetService<IHistoryRepository>().GetCreateIfNotExistsScript();
        try
        {
            await database.ExecuteSqlRawAsync(createHistory, ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another replica created it at the same moment: IF NOT EXISTS does not cover that race in PostgreSQL.
        }

        await database.MigrateAsync(ct);
    }
}
