using Ecommerce.Testing.Servers;
using Npgsql;
using StackExchange.Redis;
using Xunit;

namespace Ecommerce.Testing;

/// <summary>
/// Real PostgreSQL and Redis for one test run: taken from <c>ConnectionStrings__postgres</c> /
/// <c>ConnectionStrings__redis</c> when given, else started from the machine's binaries  under a temporary folder, and always stopped at the end. Each test class asks for its own
/// database and its own Redis database number, so classes never see each other's data.
/// Declare it once per test assembly: <c>[assembly: AssemblyFixture(typeof(TestInfrastructure))]</c>.
/// </summary>
public sealed class TestInfrastructure : IAsyncLifetime
{
    private const int RedisDatabases = 256;
    private LocalPostgres? _postgres;
    private LocalRedis? _redis;
    private string? _root;
    private int _nextRedisDatabase;
    private int _databaseCounter;
    private ConnectionMultiplexer? _redisAdmin;

    public string PostgresConnectionString { get; private set; } = "";
    public string RedisConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var givenPostgres = Environment.GetEnvironmentVariable("ConnectionStrings__postgres");
        var givenRedis = Environment.GetEnvironmentVariable("ConnectionStrings__redis");
        _root = Path.Combine(Path.GetTempPath(), "ecommerce-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
        var log = new Action<string>(_ => { });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var postgres = string.IsNullOrEmpty(givenPostgres)
            ? LocalPostgres.StartAsync(Path.Combine(_root, "postgres"), Ports.GetFree(), durable: false, log, timeout.Token)
            : Task.FromResult<LocalPostgres>(null!);
        var redis = string.IsNullOrEmpty(givenRedis)
            ? LocalRedis.StartAsync(Path.Combine(_root, "redis"), Ports.GetFree(), durable: false, log, timeout.Token, RedisDatabases)
            : Task.FromResult<LocalRedis>(null!);
        try
        {
            await Task.WhenAll(postgres, redis);
        }
        finally
        {
            // Keep what did start, so DisposeAsync stops it even when the other one failed.
            _postgres = postgres.IsCompletedSuccessfully ? postgres.Result : null;
            _redis = redis.IsCompletedSuccessfully ? redis.Result : null;
        }

        PostgresConnectionString = givenPostgres ?? _postgres!.ConnectionString;
        RedisConnectionString = givenRedis ?? _redis!.ConnectionString;
        _redisAdmin = await ConnectionMultiplexer.ConnectAsync(RedisConnectionString + ",allowAdmin=true");
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 14, 60)].ToLowerInvariant();
        await LocalPostgres.CreateDatabaseAsync(PostgresConnectionString, name, CancellationToken.None);
        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// A Redis connection string bound to a database number no other test class uses, emptied first.
    /// Pub/sub channels are server-wide: code under test should put a prefix in its channel names.
    /// </summary>
    public async Task<string> CreateRedisDatabaseAsync()
    {
        var number = Interlocked.Increment(ref _nextRedisDatabase) % RedisDatabases;
        var server = _redisAdmin!.GetServer(_redisAdmin.GetEndPoints()[0]);
        await server.FlushDatabaseAsync(number);
        return $"{RedisConnectionString},defaultDatabase={number}";
    }

    public async ValueTask DisposeAsync()
    {
        _redisAdmin?.Dispose();
        NpgsqlConnection.ClearAllPools();
        var stops = new List<Task>();
        if (_postgres is not null)
        {
            stops.Add(_postgres.DisposeAsync().AsTask());
        }

        if (_redis is not null)
        {
            stops.Add(_redis.DisposeAsync().AsTask());
        }

        await Task.WhenAll(stops);
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
