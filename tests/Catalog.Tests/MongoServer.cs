using DotNet.Testcontainers.Builders;
using MongoDB.Driver;
using Testcontainers.MongoDb;

namespace Catalog.Tests;

/// <summary>
/// A real MongoDB replica set for the store contract: <c>ConnectionStrings__mongodb</c> when set, else a
/// Testcontainers container when a Docker engine answers, else none — and <see cref="SkipReason"/> says why.
/// </summary>
public sealed class MongoServer : IAsyncLifetime
{
    private MongoDbContainer? _container;

    public IMongoClient? Client { get; private set; }

    public string SkipReason { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable("ConnectionStrings__mongodb");
        if (!string.IsNullOrEmpty(given))
        {
            Client = new MongoClient(given);
            return;
        }

        try
        {
            // Kept only once started: disposing a container that never started would ask the absent Docker engine again.
            var container = new MongoDbBuilder("mongo:8.0").WithReplicaSet("rs0").Build();
            await container.StartAsync(TestContext.Current.CancellationToken);
            _container = container;
            Client = new MongoClient(container.GetConnectionString());
        }
        catch (DockerUnavailableException ex)
        {
            SkipReason = "No MongoDB here: ConnectionStrings__mongodb is not set (a replica set, since the outbox uses transactions) " +
                         $"and Docker is unavailable for Testcontainers ({ex.Message.Split('\n')[0]})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
