using System.Text.Json;

namespace Ecommerce.AppHost.Tests;

/// <summary>
/// What deployers get: <c>--publisher manifest</c> writes Aspire's manifest, whose stores are containers (the design
/// card's stack: PostgreSQL, Redis, MongoDB, Elasticsearch), whose projects carry their references, and whose secrets
/// are parameter inputs, never values.
/// </summary>
public sealed class ManifestTests : IAsyncLifetime
{
    private readonly string _directory = Repository.NewStateDirectory();
    private JsonElement _resources;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var manifest = Path.Combine(_directory, "aspire-manifest.json");
        await using var host = AppHostProcess.Start(["--publisher", "manifest", "--output-path", manifest]);
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(120)), host.Output);
        Assert.True(host.ExitCode == 0, host.Output);
        _resources = JsonDocument.Parse(await File.ReadAllTextAsync(manifest)).RootElement.GetProperty("resources");
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private string TypeOf(string name) => _resources.GetProperty(name).GetProperty("type").GetString()!;

    private Dictionary<string, string> EnvOf(string name) => _resources.GetProperty(name).GetProperty("env").EnumerateObject()
        .ToDictionary(p => p.Name, p => p.Value.GetString()!);

    [Fact]
    public void Every_service_is_a_project_and_every_store_a_container()
    {
        foreach (var service in new[] { "identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api", "gateway" })
        {
            Assert.StartsWith("project.", TypeOf(service), StringComparison.Ordinal);
        }

        foreach (var store in new[] { "postgres", "redis", "mongodb", "elasticsearch" })
        {
            Assert.StartsWith("container.", TypeOf(store), StringComparison.Ordinal);
        }

        foreach (var database in new[] { "identitydb", "catalogdb", "orderingdb", "cartdb", "searchdb", "paymentdb" })
        {
            Assert.Equal("value.v0", TypeOf(database));
            Assert.Contains("{postgres.", _resources.GetProperty(database).GetProperty("connectionString").GetString(), StringComparison.Ordinal);
        }

        // Local-only helpers (the initdb step) are not deployed.
        Assert.False(_resources.TryGetProperty("postgres-init", out _));
    }

    [Fact]
    public void Projects_carry_their_references_and_the_design_cards_stores()
    {
        var catalog = EnvOf("catalog-api");
        Assert.Equal("{catalogdb.connectionString}", catalog["ConnectionStrings__catalogdb"]);
        Assert.Equal("{redis.connectionString}", catalog["ConnectionStrings__redis"]);
        Assert.Equal("{mongodb.connectionString}", catalog["ConnectionStrings__mongodb"]);
        Assert.Equal("mongodb", catalog["Catalog__Store"]);

        var search = EnvOf("search-api");
        Assert.Equal("elasticsearch", search["Search__Engine"]);
        Assert.Equal("{elasticsearch.connectionString}", search["ConnectionStrings__elasticsearch"]);
        Assert.Contains("catalog-api", search["services__catalog-api__http__0"], StringComparison.Ordinal);

        var gateway = EnvOf("gateway");
        foreach (var service in new[] { "identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api" })
        {
            Assert.True(gateway.ContainsKey($"services__{service}__http__0"), $"the gateway has no reference to {service}");
        }

        // The edge cache hears the catalog's invalidations on Redis, and is on unless the AppHost is told otherwise.
        Assert.Equal("{redis.connectionString}", gateway["ConnectionStrings__redis"]);
        Assert.Equal("true", gateway["Gateway__EdgeCache__Enabled"]);

        Assert.True(_resources.GetProperty("gateway").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
    }

    [Fact]
    public void Calls_between_services_form_a_one_way_graph()
    {
        // Who may call whom is what the manifest wires (services__{name}__…): walk it and look for a way back.
        var services = new[] { "identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api" };
        var calls = services.ToDictionary(s => s, s => services.Where(t => EnvOf(s).ContainsKey($"services__{t}__http__0")).ToList());
        Assert.Equal(["cart-api", "catalog-api", "payments-api"], calls["ordering-api"].Order(StringComparer.Ordinal));
        Assert.Empty(calls["payments-api"]);
        Assert.Equal(["catalog-api"], calls["cart-api"]);
        Assert.Equal("{paymentdb.connectionString}", EnvOf("payments-api")["ConnectionStrings__paymentdb"]);

        foreach (var start in services)
        {
            var seen = new HashSet<string>();
            var next = new Stack<string>(calls[start]);
            while (next.TryPop(out var service))
            {
                Assert.False(service == start, $"{start} can be called back by a service it calls");
                if (seen.Add(service)) foreach (var callee in calls[service]) next.Push(callee);
            }
        }
    }

    [Fact]
    public void Secrets_are_secret_parameter_inputs_and_never_written_in_clear()
    {
        foreach (var parameter in new[] { "jwt-signing-key", "admin-password" })
        {
            var resource = _resources.GetProperty(parameter);
            Assert.Equal("parameter.v0", resource.GetProperty("type").GetString());
            Assert.Equal($"{{{parameter}.inputs.value}}", resource.GetProperty("value").GetString());
            Assert.True(resource.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        }

        Assert.Equal("{jwt-signing-key.value}", EnvOf("ordering-api")["Jwt__SigningKey"]);
        Assert.Equal("{admin-password.value}", EnvOf("identity-api")["Identity__Admin__Password"]);
    }
}
