using System.Net;
using Ecommerce.AppHost.Hosting;
using Npgsql;

namespace Ecommerce.AppHost.Tests;

/// <summary>
/// A small topology built with the AppHost's own verbs and started for real: stores from local binaries,
/// a service process (the gateway binary) referencing them and another service.
/// </summary>
public sealed class TopologyTests : IAsyncLifetime
{
    private readonly string _state = Repository.NewStateDirectory();
    private DistributedApplication _app = null!;
    private ProjectResource _probe = null!;
    private ProjectResource _other = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = DistributedApplication.CreateBuilder(["--state", _state, "--gateway-port", "0", "--no-containers"]);
        var postgres = builder.AddPostgres("postgres");
        var catalogDb = postgres.AddDatabase("catalogdb");
        var redis = builder.AddRedis("redis");
        var mongodb = builder.AddMongoDB("mongodb");
        _other = builder.AddProject("catalog-api", "services/Gateway");
        _probe = builder.AddProject("probe-api", "services/Gateway")
            .WithReference(catalogDb).WithReference(redis).WithReference(mongodb).WithReference(_other)
            .WaitFor(catalogDb).WaitFor(redis).WaitFor(_other);
        _app = builder.Build();
        await _app.StartAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void A_service_sees_the_variables_an_Aspire_AppHost_sets()
    {
        var env = Processes.Environment(_probe.Pid!.Value);

        Assert.Equal("probe-api", env["OTEL_SERVICE_NAME"]);
        Assert.Equal(_other.Url, env["services__catalog-api__http__0"]);
        Assert.Equal(_app.GetConnectionString("catalogdb"), env["ConnectionStrings__catalogdb"]);
        Assert.Equal("catalogdb", new NpgsqlConnectionStringBuilder(env["ConnectionStrings__catalogdb"]).Database);
        Assert.Equal(_app.GetConnectionString("redis"), env["ConnectionStrings__redis"]);
        Assert.Equal($"http://127.0.0.1:{_probe.Port}", env["ASPNETCORE_URLS"]);
        Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT") && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")));
        // No MongoDB here: the store is "not configured" and the service gets no connection string for it.
        Assert.Equal(ResourceState.NotConfigured, _app.GetResource<OptionalStoreResource>("mongodb").State);
        Assert.False(env.ContainsKey("ConnectionStrings__mongodb"));
    }

    [Fact]
    public async Task Databases_exist_and_every_resource_is_up()
    {
        await using var connection = new NpgsqlConnection(_app.GetConnectionString("catalogdb"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        Assert.All(_app.Resources.Where(r => r is not OptionalStoreResource),
            r => Assert.Contains(r.State, new[] { ResourceState.Running, ResourceState.Healthy }));
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri($"{_probe.Url}/health"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_crashed_service_is_restarted_on_the_same_port()
    {
        var before = _other.Pid!.Value;

        Assert.True(Ecommerce.AppHost.Tests.Signals.Kill(before));
        await Processes.WaitUntilAsync(() => _other.Restarts == 1 && _other.State == ResourceState.Healthy,
            TimeSpan.FromSeconds(60), "catalog-api to be restarted and healthy");

        Assert.NotEqual(before, _other.Pid);
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri($"{_other.Url}/alive"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        var pids = _app.Resources.OfType<ProjectResource>().Select(p => p.Pid)
            .Concat([_app.GetResource<PostgresServerResource>("postgres").Pid, _app.GetResource<RedisResource>("redis").Pid])
            .OfType<int>().ToList();
        await _app.DisposeAsync();
        Assert.All(pids, pid => Assert.False(Processes.IsAlive(pid), $"process {pid} still running after stop"));
        Directory.Delete(_state, recursive: true);
    }
}
