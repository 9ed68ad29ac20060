using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Elastic.Clients.Elasticsearch;
using Search.Api.Engines.Elasticsearch;

namespace Search.Tests.Elasticsearch;

/// <summary>
/// A real Elasticsearch for the engine contract: <c>ConnectionStrings__elasticsearch</c> when set, else a
/// container when a Docker engine answers, else none — and <see cref="SkipReason"/> says why.
/// </summary>
public sealed class ElasticsearchServer : IAsyncLifetime
{
    private IContainer? _container;
    private ElasticsearchClient? _client;

    public Uri? Url { get; private set; }

    /// <summary>One client for every engine of the run (as the service shares one), on <see cref="Url"/>.</summary>
    public ElasticsearchClient Client => _client ??= new ElasticsearchClient(new ElasticsearchClientSettings(Url!));

    public string SkipReason { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable("ConnectionStrings__elasticsearch");
        if (!string.IsNullOrEmpty(given))
        {
            Url = new Uri(given);
            return;
        }

        try
        {
            // Kept only once started: disposing a container that never started would ask the absent Docker engine again.
            var container = new ContainerBuilder("docker.elastic.co/elasticsearch/elasticsearch:9.5.0")
                .WithEnvironment("discovery.type", "single-node").WithEnvironment("xpack.security.enabled", "false")
                .WithEnvironment("ES_JAVA_OPTS", "-Xms512m -Xmx512m").WithPortBinding(9200, true)
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(9200).ForPath("/_cluster/health")))
                .Build();
            await container.StartAsync(TestContext.Current.CancellationToken);
            _container = container;
            Url = new Uri($"http://{container.Hostname}:{container.GetMappedPublicPort(9200)}");
        }
        catch (DockerUnavailableException ex)
        {
            SkipReason = "No Elasticsearch here: ConnectionStrings__elasticsearch is not set and Docker is unavailable for Testcontainers " +
                         $"({ex.Message.Split('\n')[0]})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null) await _container.DisposeAsync();
    }
}

/// <summary>The engine contract on Elasticsearch; skipped with the reason when no server can be reached.</summary>
public sealed class ElasticsearchEngineTests(ElasticsearchServer server) : SearchEngineContract, IClassFixture<ElasticsearchServer>
{
    protected override async Task<ISearchEngine> CreateEngineAsync()
    {
        Assert.SkipWhen(server.Url is null, server.SkipReason);
        var engine = new ElasticsearchEngine(server.Client, new ElasticsearchOptions { Alias = $"products-test-{Guid.NewGuid():N}" }, TestSynonyms, TimeProvider.System);
        await engine.InitializeAsync(Ct);
        return engine;
    }
}
