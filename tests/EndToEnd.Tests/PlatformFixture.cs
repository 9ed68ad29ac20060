using Ecommerce.AppHost.Hosting;
using Ecommerce.AppHost.Hosting.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The whole platform exactly as <c>./scripts/run</c> declares it (the AppHost's Program.cs), on a free
/// gateway port and a throw-away state folder, stopped after the last test.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "ecommerce-e2e", Guid.NewGuid().ToString("N")[..12]);
    private RunningApplication? _running;

    public DistributedApplication App => _running!.App;
    public Uri Gateway => App.GetEndpoint("gateway");

    public HttpClient CreateClient(string? bearerToken = null)
    {
        var client = new HttpClient { BaseAddress = Gateway };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        }

        return client;
    }

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _running = await DistributedApplicationTestingBuilder.StartAsync(
            ["--gateway-port", "0", "--state", _state, "--no-containers", "--Jwt:SigningKey", TestTokens.SigningKey], timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_running is not null)
        {
            await _running.DisposeAsync();
        }

        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
