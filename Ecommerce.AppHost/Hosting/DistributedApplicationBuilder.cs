using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.AppHost.Hosting;

/// <summary>Declares the topology, with the verbs of Aspire's <c>IDistributedApplicationBuilder</c>.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        RepositoryRoot = FindRepositoryRoot();
        (Options, var rest) = AppHostOptions.Parse(args, RepositoryRoot);
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(rest)
            .Build();
    }

    public AppHostOptions Options { get; }
    public IConfiguration Configuration { get; }
    public string RepositoryRoot { get; }
    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>Lines printed under the resource table once everything is up (how to sign in, and so on).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>A secret generated once and kept in the state folder (Aspire's generated parameters, in spirit).</summary>
    public string GeneratedSecret(string name)
    {
        var file = Path.Combine(Options.StateDirectory, name);
        if (Options.Fresh && File.Exists(file))
        {
            File.Delete(file);
        }

        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Options.StateDirectory);
            // Letters, digits and a symbol: passes the identity service's password rules.
            File.WriteAllText(file, "Pc-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) + "!x");
        }

        return File.ReadAllText(file).Trim();
    }

    public PostgresServerResource AddPostgres(string name) => Add(new PostgresServerResource(name, r => Add(r)));

    public RedisResource AddRedis(string name) => Add(new RedisResource(name));

    public OptionalStoreResource AddMongoDB(string name) =>
        Add(new OptionalStoreResource(name, "mongo:8", 27017, "mongodb", new Dictionary<string, string>()));

    public OptionalStoreResource AddElasticsearch(string name) =>
        Add(new OptionalStoreResource(name, "docker.elastic.co/elasticsearch/elasticsearch:9.5.0", 9200, "http",
            new Dictionary<string, string> { ["discovery.type"] = "single-node", ["xpack.security.enabled"] = "false" }));

    /// <param name="projectDirectory">Relative to the repository root, e.g. <c>services/Catalog.Api</c>.</param>
    public ProjectResource AddProject(string name, string projectDirectory) => Add(new ProjectResource(name, projectDirectory));

    private T Add<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new AppHostException($"Two resources are named '{resource.Name}'.");
        }

        _resources.Add(resource);
        return resource;
    }

    public DistributedApplication Build() => new(this, BuildConfiguration());

    private static string BuildConfiguration() =>
        typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BuildConfiguration")?.Value ?? "Debug";

    /// <summary>The folder holding Ecommerce.slnx: looked for above the binary, then where it was built.</summary>
    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ecommerce.slnx")))
            {
                return dir.FullName;
            }
        }

        return typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
            ?? throw new AppHostException("Cannot find the repository root (the folder with Ecommerce.slnx).");
    }
}
