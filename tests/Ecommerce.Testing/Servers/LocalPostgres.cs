using System.Diagnostics;
using Npgsql;

namespace Ecommerce.Testing.Servers;

/// <summary>
/// A PostgreSQL server run from the machine's binaries as a child process: <c>initdb</c> once into
/// <c>{root}/data</c>, then <c>postgres</c> in the foreground on a 127.0.0.1 port. As root it runs as
/// the <c>postgres</c> user (the server refuses root) through <c>setpriv</c>, which execs, so the PID
/// we hold is the postmaster's own.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    public const string User = "postgres";
    private readonly ChildProcess _process;

    private LocalPostgres(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public int Pid => _process.Pid;
    public Task<int> Exited => _process.Exited;

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username={User};Password={User}";

    public static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "postgres")) ? configured : null;
        }

        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    public const string MissingBinariesMessage =
        "PostgreSQL server binaries were not found under /usr/lib/postgresql/<version>/bin. " +
        "Install them (apt-get install -y postgresql), set PG_BIN to their folder, " +
        "give a server with ConnectionStrings__postgres, or start a Docker engine.";

    /// <param name="root">State folder for this server; created, and owned by <c>postgres</c> when running as root.</param>
    /// <param name="durable">False for throw-away test servers: fsync off, which is never right for real data.</param>
    public static async Task<LocalPostgres> StartAsync(string root, int port, bool durable, Action<string> onLine,
        CancellationToken cancellationToken)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(MissingBinariesMessage);
        Directory.CreateDirectory(root);
        var data = Path.Combine(root, "data");
        if (Posix.IsRoot)
        {
            await RunAsync("chown", ["-R", $"{User}:{User}", root], cancellationToken);
        }

        await StopStaleServerAsync(data, onLine);

        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await RunAsync(AsServerUser(Path.Combine(bin, "initdb"), out var prefix),
                [.. prefix, "-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
        }

        string[] settings =
        [
            "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", "", "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300",
        ];
        if (!durable)
        {
            // Tests run many classes in parallel, each with its own pools: room for them all.
            settings = [.. settings, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=1000"];
        }

        var file = AsServerUser(Path.Combine(bin, "postgres"), out var userPrefix);
        var process = ChildProcess.Start(file, [.. userPrefix, .. settings], onLine, workingDirectory: root);
        var server = new LocalPostgres(process, port);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        await CreateDatabaseAsync(ConnectionString, name, cancellationToken);

    /// <summary>Creates the database unless it exists (Aspire's AddDatabase does the same).</summary>
    public static async Task CreateDatabaseAsync(string serverConnectionString, string name, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = name } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // Identifiers cannot be parameters; the name is quoted as an identifier.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false, Timeout = 2 };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL exited with code {await _process.Exited} while starting (see its log lines above).");
            }

            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>A server left running by a host that was killed (its pid file names a live postmaster): stop it first.</summary>
    private static async Task StopStaleServerAsync(string data, Action<string> onLine)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
            || !Posix.IsAlive(pid)
            || !File.ReadAllText($"/proc/{pid}/comm").StartsWith("postgres", StringComparison.Ordinal))
        {
            return;
        }

        onLine($"stopping a PostgreSQL server (pid {pid}) left running on {data} by an earlier run");
        Posix.Signal(pid, Posix.SIGINT);
        for (var i = 0; i < 150 && Posix.IsAlive(pid); i++)
        {
            await Task.Delay(100);
        }
    }

    private static string AsServerUser(string file, out string[] prefix)
    {
        if (!Posix.IsRoot)
        {
            prefix = [];
            return file;
        }

        prefix = ["--reuid", User, "--regid", User, "--init-groups", "--", file];
        return "setpriv";
    }

    private static async Task RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var output = new List<string>();
        await using var process = ChildProcess.Start(file, arguments, line => { lock (output) { output.Add(line); } });
        var code = await process.Exited.WaitAsync(cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({code}):\n{string.Join('\n', output)}");
        }
    }

    /// <summary>Fast shutdown (SIGINT): active transactions roll back, data is checkpointed.</summary>
    public Task StopAsync() => _process.StopAsync(Posix.SIGINT, TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
    }
}
