using Npgsql;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// A PostgreSQL server. Provider, first that applies: <c>ConnectionStrings:{name}</c>; the official
/// image when Docker answers; the machine's PostgreSQL binaries with data under <c>{state}/{name}</c>.
/// </summary>
public sealed class PostgresServerResource(string name, Action<Resource> register) : Resource(name), IResourceWithConnectionString
{
    private LocalPostgres? _local;
    private Func<Task>? _removeContainer;
    private readonly List<PostgresDatabaseResource> _databases = [];

    public string? ConnectionString { get; private set; }
    public int? Pid => _local?.Pid;
    public override string? Url => ConnectionString is null ? null : Describe(ConnectionString);

    public PostgresDatabaseResource AddDatabase(string databaseName)
    {
        var database = new PostgresDatabaseResource(databaseName, this);
        _databases.Add(database);
        register(database);
        return database;
    }

    internal IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    protected override async Task StartCoreAsync(HostContext context, CancellationToken cancellationToken)
    {
        var log = context.Logs.For(Name);
        var configured = context.Configuration.GetConnectionStringOrNull(Name);
        if (configured is not null)
        {
            Provider = "connection string";
            ConnectionString = configured;
        }
        else if (await context.Docker.IsAvailableAsync())
        {
            Provider = "container postgres:17";
            var container = $"ecommerce-{Name}-{Environment.ProcessId}";
            var port = await context.Docker.RunAsync(container, "postgres:17", 5432,
                new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "postgres" },
                $"ecommerce-{Name}-data:/var/lib/postgresql/data", log);
            _removeContainer = () => context.Docker.RemoveAsync(container);
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password=postgres";
        }
        else
        {
            if (LocalPostgres.FindBinDirectory() is null)
            {
                throw new AppHostException(LocalPostgres.MissingBinariesMessage);
            }

            Provider = "local binaries";
            _local = await LocalPostgres.StartAsync(Path.Combine(context.Options.StateDirectory, Name), Ports.GetFree(),
                durable: true, log, cancellationToken);
            ConnectionString = _local.ConnectionString;
        }

        await WaitUntilConnectableAsync(ConnectionString, cancellationToken);
        foreach (var database in _databases)
        {
            await LocalPostgres.CreateDatabaseAsync(ConnectionString, database.DatabaseName, cancellationToken);
        }

        State = ResourceState.Running;
    }

    private static async Task WaitUntilConnectableAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && attempt < 120)
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw new AppHostException($"PostgreSQL at {Describe(connectionString)} is not reachable: {ex.Message}");
            }
        }
    }

    internal static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{b.Host}:{b.Port}" + (string.IsNullOrEmpty(b.Database) ? "" : $"/{b.Database}");
    }

    internal override async Task StopAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        if (_removeContainer is not null)
        {
            await _removeContainer();
        }

        State = ResourceState.Stopped;
    }
}

/// <summary>A database on a PostgreSQL server, created when missing; its connection string names it.</summary>
public sealed class PostgresDatabaseResource : Resource, IResourceWithConnectionString
{
    internal PostgresDatabaseResource(string databaseName, PostgresServerResource server) : base(databaseName)
    {
        DatabaseName = databaseName;
        Server = server;
        AddWaitFor(server);
    }

    public string DatabaseName { get; }
    public PostgresServerResource Server { get; }

    public string? ConnectionString => Server.ConnectionString is null
        ? null
        : new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = DatabaseName }.ConnectionString;

    public override string? Url => ConnectionString is null ? null : PostgresServerResource.Describe(ConnectionString);

    protected override Task StartCoreAsync(HostContext context, CancellationToken cancellationToken)
    {
        Provider = Server.Name;
        State = ResourceState.Running;
        return Task.CompletedTask;
    }

    internal override Task StopAsync()
    {
        State = ResourceState.Stopped;
        return Task.CompletedTask;
    }
}

/// <summary>A Redis server: connection string, the official image, or <c>redis-server</c> with AOF under <c>{state}/{name}</c>.</summary>
public sealed class RedisResource(string name) : Resource(name), IResourceWithConnectionString
{
    private LocalRedis? _local;
    private Func<Task>? _removeContainer;

    public string? ConnectionString { get; private set; }
    public int? Pid => _local?.Pid;
    public override string? Url => ConnectionString is null ? null : $"redis://{ConnectionString.Split(',')[0]}";

    protected override async Task StartCoreAsync(HostContext context, CancellationToken cancellationToken)
    {
        var log = context.Logs.For(Name);
        var configured = context.Configuration.GetConnectionStringOrNull(Name);
        if (configured is not null)
        {
            Provider = "connection string";
            ConnectionString = configured;
        }
        else if (await context.Docker.IsAvailableAsync())
        {
            Provider = "container redis:7";
            var container = $"ecommerce-{Name}-{Environment.ProcessId}";
            var port = await context.Docker.RunAsync(container, "redis:7", 6379, new Dictionary<string, string>(),
                $"ecommerce-{Name}-data:/data", log);
            _removeContainer = () => context.Docker.RemoveAsync(container);
            ConnectionString = $"127.0.0.1:{port}";
        }
        else
        {
            if (LocalRedis.FindBinary() is null)
            {
                throw new AppHostException(LocalRedis.MissingBinaryMessage);
            }

            Provider = "local binaries";
            _local = await LocalRedis.StartAsync(Path.Combine(context.Options.StateDirectory, Name), Ports.GetFree(),
                durable: true, log, cancellationToken);
            ConnectionString = _local.ConnectionString;
        }

        State = ResourceState.Running;
    }

    internal override async Task StopAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        if (_removeContainer is not null)
        {
            await _removeContainer();
        }

        State = ResourceState.Stopped;
    }
}

/// <summary>
/// A store that cannot run from local binaries here (MongoDB, Elasticsearch): a connection string, or a
/// container when Docker answers, or nothing — then the resource is "not configured" and services that
/// reference it get no connection string and keep their local defaults.
/// </summary>
public sealed class OptionalStoreResource(string name, string image, int containerPort, string scheme,
    IReadOnlyDictionary<string, string> containerEnvironment) : Resource(name), IResourceWithConnectionString
{
    private Func<Task>? _removeContainer;

    public string? ConnectionString { get; private set; }
    public override string? Url => ConnectionString;

    protected override async Task StartCoreAsync(HostContext context, CancellationToken cancellationToken)
    {
        var configured = context.Configuration.GetConnectionStringOrNull(Name);
        if (configured is not null)
        {
            Provider = "connection string";
            ConnectionString = configured;
            State = ResourceState.Running;
        }
        else if (await context.Docker.IsAvailableAsync())
        {
            Provider = $"container {image}";
            var container = $"ecommerce-{Name}-{Environment.ProcessId}";
            var port = await context.Docker.RunAsync(container, image, containerPort, containerEnvironment, null, context.Logs.For(Name));
            _removeContainer = () => context.Docker.RemoveAsync(container);
            for (var i = 0; i < 240 && !await Ports.AcceptsAsync(port, cancellationToken); i++)
            {
                await Task.Delay(500, cancellationToken);
            }

            ConnectionString = $"{scheme}://127.0.0.1:{port}";
            State = ResourceState.Running;
        }
        else
        {
            Provider = $"none (set ConnectionStrings__{Name} or run Docker)";
            State = ResourceState.NotConfigured;
        }
    }

    internal override async Task StopAsync()
    {
        if (_removeContainer is not null)
        {
            await _removeContainer();
        }

        State = State == ResourceState.NotConfigured ? State : ResourceState.Stopped;
    }
}

internal static class ConfigurationExtensions
{
    public static string? GetConnectionStringOrNull(this Microsoft.Extensions.Configuration.IConfiguration configuration, string name)
    {
        var value = configuration[$"ConnectionStrings:{name}"];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
