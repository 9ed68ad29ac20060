using Aspire.Hosting.ApplicationModel;

namespace Ecommerce.AppHost.Hosting;

/// <summary>Where a backing store comes from: the first that applies.</summary>
public enum StoreSource
{
    /// <summary><c>ConnectionStrings:{name}</c> given to the AppHost: an existing server, nothing started.</summary>
    ConnectionString,

    /// <summary>The official image, through Aspire's hosting integration (publish mode, or a container runtime answers).</summary>
    Container,

    /// <summary>The machine's own binaries as executables, data under the state folder.</summary>
    Local,

    /// <summary>Nothing can provide it here (MongoDB, Elasticsearch without a runtime): services keep their local defaults.</summary>
    None,
}

/// <summary>A PostgreSQL server and the databases on it, whatever provides them.</summary>
public sealed record PostgresStore(IResourceBuilder<IResourceWithConnectionString> Server,
    Func<string, IResourceBuilder<IResourceWithConnectionString>> AddDatabase);

/// <summary>
/// Picks each store's source and adds it under one resource name, so Program.cs reads the same in every mode and the
/// services always get <c>ConnectionStrings__{name}</c>.
/// </summary>
public sealed class StoreProvisioner(IDistributedApplicationBuilder builder, string stateDirectory, bool containers)
{
    public bool UseContainers => containers;

    public StoreSource SourceOf(string name, bool hasLocalBinaries) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)) ? StoreSource.ConnectionString
        : containers ? StoreSource.Container
        : hasLocalBinaries ? StoreSource.Local
        : StoreSource.None;

    public PostgresStore AddPostgres(string name)
    {
        switch (SourceOf(name, hasLocalBinaries: true))
        {
            case StoreSource.ConnectionString:
                var given = builder.AddConnectionString(name);
                return new PostgresStore(given, database =>
                {
                    var db = builder.AddConnectionString(database, ReferenceExpression.Create($"{given.Resource};Database={database}"));
                    // An existing server may not have our databases yet: create them as Aspire's AddDatabase would.
                    builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(db.Resource, async (_, ct) =>
                        await PostgresDatabases.CreateIfMissingAsync((await given.Resource.GetConnectionStringAsync(ct))!, database, ct));
                    return db;
                });
            case StoreSource.Container:
                var container = builder.AddPostgres(name).WithDataVolume("polyglot-commerce-postgres-data");
                return new PostgresStore(container, database => container.AddDatabase(database));
            default:
                var local = builder.AddLocalPostgres(name, PostgresDataDirectory(name));
                return new PostgresStore(local, database => local.AddDatabase(database));
        }
    }

    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name) => SourceOf(name, hasLocalBinaries: true) switch
    {
        StoreSource.ConnectionString => builder.AddConnectionString(name),
        StoreSource.Container => builder.AddRedis(name).WithDataVolume("polyglot-commerce-redis-data").WithPersistence(TimeSpan.FromSeconds(1)),
        _ => builder.AddLocalRedis(name, Path.Combine(stateDirectory, name)),
    };

    /// <summary>A MongoDB replica set of one (the catalog's outbox needs transactions), or null when nothing can provide one.</summary>
    public IResourceBuilder<IResourceWithConnectionString>? AddMongoDB(string name) => SourceOf(name, hasLocalBinaries: false) switch
    {
        StoreSource.ConnectionString => builder.AddConnectionString(name),
        StoreSource.Container => builder.AddMongoReplicaSetContainer(name),
        _ => null,
    };

    public IResourceBuilder<IResourceWithConnectionString>? AddElasticsearch(string name) => SourceOf(name, hasLocalBinaries: false) switch
    {
        StoreSource.ConnectionString => builder.AddConnectionString(name),
        StoreSource.Container => builder.AddElasticsearchContainer(name),
        _ => null,
    };

    /// <summary>
    /// PostgreSQL refuses to run as root, so as root its data belongs to the <c>postgres</c> user, who cannot enter a
    /// private (mode 700) folder such as root's home. Then the data goes to PostgreSQL's own home instead, one folder per
    /// state folder, and a note in the state folder says where.
    /// </summary>
    private string PostgresDataDirectory(string name)
    {
        var preferred = Path.Combine(stateDirectory, name, "data");
        if (!Environment.IsPrivilegedProcess || ServerUserCanReach(stateDirectory))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(preferred)!);
            return preferred;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stateDirectory)))[..12];
        var home = Path.Combine("/var/lib/postgresql/polyglot-commerce", hash);
        Directory.CreateDirectory(home);
        // One line, the folder: --fresh reads it to delete that data too.
        File.WriteAllText(Path.Combine(stateDirectory, $"{name}-data-location.txt"), Path.Combine(home, "data") + "\n");
        return Path.Combine(home, "data");
    }

    /// <summary>Every folder from / down to the state folder must let others pass (x) for the postgres user to reach it.</summary>
    private static bool ServerUserCanReach(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }
}
