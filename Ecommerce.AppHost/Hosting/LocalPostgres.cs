using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// The machine's own PostgreSQL as an Aspire executable: <c>postgres</c> in the foreground on a port Aspire allocates,
/// its data in <see cref="DataDirectory"/>. Used when no container runtime answers; same name and connection-string
/// shape as <c>AddPostgres</c>, so services cannot tell the difference.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string User = "postgres";

    public string DataDirectory { get; } = dataDirectory;

    public EndpointReference Endpoint => new(this, EndpointName);

    internal List<LocalPostgresDatabaseResource> Databases { get; } = [];

    // Loopback only, trust authentication (initdb --auth=trust): the same as the test servers; never exposed.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={Endpoint.Property(EndpointProperty.Port)};Username={User}");
}

/// <summary>A database on <see cref="LocalPostgresServerResource"/>; created when the server is ready, so waiting on it never hangs.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;
    public LocalPostgresServerResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class LocalPostgresExtensions
{
    /// <summary>
    /// A one-shot <c>{name}-init</c> executable (initdb when the data folder is new), then the server, which waits for it.
    /// As root both run as the <c>postgres</c> user (the server refuses root) through <c>setpriv</c>, which execs, so the
    /// process Aspire watches is the postmaster itself.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder,
        string name, string dataDirectory)
    {
        var bin = PostgresBinaries.Find() ?? throw new DistributedApplicationException(PostgresBinaries.Missing);
        var user = LocalPostgresServerResource.User;
        string[] asServerUser = Environment.IsPrivilegedProcess ? ["setpriv", "--reuid", user, "--regid", user, "--init-groups", "--"] : [];
        var owner = Environment.IsPrivilegedProcess ? $" && chown {user}: '{dataDirectory}'" : "";
        var parent = Path.GetDirectoryName(dataDirectory)!;
        var init = builder.AddExecutable($"{name}-init", "sh", parent,
                "-c", $"mkdir -p '{dataDirectory}' && chmod 700 '{dataDirectory}'{owner} && (test -f '{dataDirectory}/PG_VERSION' || " +
                      $"{string.Join(' ', asServerUser)} {bin}/initdb -D '{dataDirectory}' -U {user} --auth=trust -E UTF8 --locale=C.UTF-8)")
            .WithIconName("DatabaseArrowUp")
            .ExcludeFromManifest();

        string[] command = [.. asServerUser, $"{bin}/postgres"];
        var server = new LocalPostgresServerResource(name, command[0], parent, dataDirectory);
        var started = new HashSet<string>(StringComparer.Ordinal);
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await ((IResourceWithConnectionString)server).GetConnectionStringAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => (connectionString ?? throw new InvalidOperationException("The connection string is not known yet.")) + ";Database=postgres",
            name: healthCheck);

        return builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                foreach (var arg in command.Skip(1)) context.Args.Add(arg);
                // TCP on loopback only; the Unix socket in /tmp, since the data folder may sit where clients cannot reach.
                foreach (var arg in new[] { "-D", dataDirectory, "-k", "/tmp", "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-p" })
                    context.Args.Add(arg);
                context.Args.Add(server.Endpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("DatabaseMultiple")
            .WaitForCompletion(init)
            .WithHealthCheck(healthCheck)
            // Aspire passes a parent's state on to child resources only for containers: an executable's databases get
            // theirs here, or whatever waits for them would wait forever.
            .OnResourceReady(async (resource, @event, ct) =>
            {
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var database in resource.Databases)
                {
                    await PostgresDatabases.CreateIfMissingAsync(connectionString!, database.DatabaseName, ct);
                    await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
                }
            })
            // ResourceReadyEvent comes once per run: after a restart (dashboard Start, the fault suite) the databases
            // would stay Exited and a service started after it would wait for them forever (found by the combined kill).
            .OnBeforeResourceStarted(async (resource, @event, ct) =>
            {
                if (!started.Add(resource.Name)) // not the first start: mark the databases running once the server answers
                {
                    var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                    foreach (var database in resource.Databases)
                    {
                        // Starting, not Exited: whatever waits for a database waits instead of giving up on it.
                        await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Starting });
                    }

                    var stopping = @event.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
                    _ = Task.Run(() => DatabasesRunningWhenServerAnswersAsync(resource, notifications, () => connectionString, stopping), CancellationToken.None);
                }
            })
            .OnResourceStopped(async (resource, @event, _) =>
            {
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var database in resource.Databases)
                {
                    await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Exited, StopTimeStamp = DateTime.UtcNow });
                }
            })
            .ExcludeFromManifest();
    }

    private static async Task DatabasesRunningWhenServerAnswersAsync(LocalPostgresServerResource server, ResourceNotificationService notifications,
        Func<string?> connectionString, CancellationToken ct)
    {
        // Bounded: a server that does not answer within 2 minutes stays as the dashboard shows it (its databases Exited).
        for (var attempt = 0; attempt < 240 && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                foreach (var database in server.Databases)
                {
                    await PostgresDatabases.CreateIfMissingAsync(connectionString()!, database.DatabaseName, ct);
                    await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
                }

                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                await Task.Delay(500, CancellationToken.None); // still starting: ask again
            }
            catch (OperationCanceledException)
            {
                return; // the AppHost is stopping
            }
        }
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresServerResource> server,
        string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.Databases.Add(database);
        string? connectionString = null;
        server.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("The connection string is not known yet."), name: healthCheck);
        return server.ApplicationBuilder.AddResource(database)
            .WithIconName("Database")
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }
}

/// <summary>Where the machine's PostgreSQL server binaries are (<c>PG_BIN</c>, else the newest under /usr/lib/postgresql).</summary>
internal static class PostgresBinaries
{
    public const string Missing =
        "PostgreSQL server binaries were not found under /usr/lib/postgresql/<version>/bin. Install them " +
        "(apt-get install -y postgresql), set PG_BIN to their folder, give a server with ConnectionStrings__postgres, " +
        "or start a container runtime.";

    public static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "postgres")) ? configured : null;
        }

        const string root = "/usr/lib/postgresql";
        return !Directory.Exists(root)
            ? null
            : Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault();
    }
}

internal static class PostgresDatabases
{
    /// <summary>What Aspire's AddDatabase does when its server is ready: create the database unless it exists.</summary>
    public static async Task CreateIfMissingAsync(string serverConnectionString, string database, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        // Identifiers cannot be parameters: the name is quoted as one.
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // It exists from an earlier run: its data is kept.
        }
    }
}
