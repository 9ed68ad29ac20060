using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests;

/// <summary>
/// The whole platform exactly as <c>./scripts/run</c> declares it (the AppHost's Program.cs), started through
/// Aspire.Hosting.Testing on a free gateway port and a throw-away state folder, once for the whole assembly
/// (starting and stopping it is the expensive part), and stopped after the last test.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public const string AdminPassword = "E2E-Str0ng-Boss-Pass-1!";
    private readonly string _state = Path.Combine(Path.GetTempPath(), "ecommerce-e2e", Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;
    private OtlpTraceReceiver? _telemetry;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform is not started.");
    public Uri Gateway { get; private set; } = null!;

    /// <summary>The spans every service exported (the AppHost points their OTLP exporters here).</summary>
    public OtlpTraceReceiver Telemetry => _telemetry ?? throw new InvalidOperationException("The platform is not started.");

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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Environment.GetEnvironmentVariable("E2E_START_TIMEOUT") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 240));
        _telemetry = await OtlpTraceReceiver.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ecommerce_AppHost>(
            ["--gateway-port", "0", "--state", _state, "--no-containers", "--AppHost:OtlpEndpoint", _telemetry.Endpoint.ToString().TrimEnd('/'),
             "--Parameters:jwt-signing-key", TestTokens.SigningKey, "--Parameters:admin-password", AdminPassword], timeout.Token);
        if (Environment.GetEnvironmentVariable("E2E_LOG") is { } log)
        {
            var writer = new StreamWriter(log) { AutoFlush = true };
            Console.SetOut(writer);
            builder.Services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug));
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        // The gateway waits for every service, and each service for its stores: once it is healthy, all are.
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Gateway = _app.GetEndpoint("gateway", "http");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }

        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
