using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests;

/// <summary>
/// A real HTTP server on a loopback port standing in for a downstream service: it echoes what it received,
/// so a test sees exactly what the gateway forwarded. Its health can be switched off.
/// </summary>
public sealed class FakeDownstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeDownstream(WebApplication app) => _app = app;

    private int _healthProbes;
    private int _disposed;

    public bool Healthy { get; set; } = true;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A status to answer instead of 200 on a path (e.g. a 404 or a 503 for one product).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> StatusByPath { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many requests reached this path (any method).</summary>
    public int Calls(string path) => _calls.TryGetValue(path, out var calls) ? calls : 0;

    /// <summary>How many times its <c>/health</c> was called.</summary>
    public int HealthProbes => Volatile.Read(ref _healthProbes);
    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public static async Task<FakeDownstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var downstream = new FakeDownstream(app);
        app.MapGet("/health", () =>
        {
            Interlocked.Increment(ref downstream._healthProbes);
            return downstream.Healthy ? Results.Ok("Healthy") : Results.StatusCode(503);
        });
        app.Map("/{**path}", (HttpContext context) =>
        {
            var path = context.Request.Path.Value ?? "";
            downstream._calls.AddOrUpdate(path, 1, (_, calls) => calls + 1);
            if (downstream.StatusByPath.TryGetValue(path, out var status))
            {
                return Results.StatusCode(status);
            }

            // Also as a header: a HEAD answer has no body to echo in.
            context.Response.Headers["X-Echo-Method"] = context.Request.Method;
            context.Response.Headers["X-Echo-If-None-Match"] = context.Request.Headers.IfNoneMatch.ToString();
            context.Response.Headers.ETag = "\"v1\"";
            return Results.Json(new Echo(name, context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.ToString()));
        });
        await app.StartAsync();
        return downstream;
    }

    public async ValueTask DisposeAsync()
    {
        // A test may stop it early to simulate a crashed service; the class fixture disposes it again.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.DisposeAsync();
        }
    }
}

public sealed record Echo(string Service, string Method, string PathAndQuery, string Authorization);
