using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Ecommerce.Testing;

/// <summary>
/// The real service (its own Program) with test settings: connection strings to the test servers, the
/// test JWT key. It can serve it on a real loopback port instead of the in-memory
/// test server (<c>useRealServer</c>), for tests that need real sockets (concurrency, another process calling it).
/// </summary>
public class ServiceFactory<TProgram> : WebApplicationFactory<TProgram> where TProgram : class
{
    // A generous request budget (production: 15 s, Ecommerce.Http/Outages/OutageResponses.cs): these tests check correctness under contention on a shared 2-core
    // machine (200 racing checkouts), not latency; the fault suite (tests/Fault.Tests) checks the real budget.
    private readonly Dictionary<string, string?> _settings = new(TestTokens.Settings) { ["ServiceDefaults:RequestTimeoutSeconds"] = "60" };
    private readonly Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? _services;

    /// <param name="services">Replacements applied after the app's own registrations (e.g. a FakeTimeProvider).</param>
    public ServiceFactory(IReadOnlyDictionary<string, string?>? settings = null, bool useRealServer = false,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        _services = services;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        if (useRealServer)
        {
            UseKestrel(0);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Settings go in as configuration so they win over appsettings.json, like environment variables would.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        if (_services is not null)
        {
            Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, _services);
        }
    }

    public HttpClient CreateClient(string? bearerToken)
    {
        var client = CreateClient();
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return client;
    }
}
