using System.Net;
using System.Net.Http.Json;
using Ecommerce.Authentication;
using Ecommerce.Http.Outages;
using Ecommerce.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Ecommerce.AppHost.Tests;

/// <summary>What every service gets from ServiceDefaults and the Aspire client integrations, checked on a small real app against real stores.</summary>
public sealed class ServiceDefaultsTests(TestInfrastructure infrastructure)
{
    private sealed class SampleDb(DbContextOptions<SampleDb> options) : DbContext(options);

    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(TestTokens.Settings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddDefaultAuthentication();
        builder.AddNpgsqlDbContext<SampleDb>("sampledb");
        builder.AddRedisClient("redis");
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => user.GetUserId()).RequireAuthorization(Policies.SignedIn);
        app.MapGet("/admin", () => "ok").RequireAuthorization(Policies.Admin);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public void A_missing_connection_string_fails_naming_the_key_to_set()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddNpgsqlDbContext<SampleDb>("catalogdb");
        using var app = builder.Build();
        using var scope = app.Services.CreateScope();

        // Aspire's integration refuses when the context is first made, which each service does before listening (migrations).
        var error = Assert.ThrowsAny<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<SampleDb>());

        Assert.Contains("ConnectionStrings:catalogdb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_db_context_rides_out_a_store_blip_briefly_then_gives_up()
    {
        // Aspire's default strategy retries 6 times with delays towards 30 s: a caller hung through a whole outage.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:sampledb"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";
        builder.AddServiceDbContext<SampleDb>("sampledb");
        using var app = builder.Build();
        using var scope = app.Services.CreateScope();
        var strategy = scope.ServiceProvider.GetRequiredService<SampleDb>().Database.CreateExecutionStrategy();
        var attempts = 0;

        var error = await Assert.ThrowsAsync<Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException>(() => strategy.ExecuteAsync(() =>
        {
            attempts++;
            // What Npgsql throws when PostgreSQL is down: a refused connection, transient.
            throw new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        }));

        Assert.Equal(1 + StoreRetries.RetryCount, attempts);
        Assert.True(Ecommerce.Http.Outages.OutageResponses.IsUnavailable(error), "the exhausted retries must be answered 503, not 500");
    }

    [Theory]
    [InlineData(null, true)]   // refused connection, DNS failure: nothing answered
    [InlineData(503, true)]
    [InlineData(502, true)]
    [InlineData(400, false)]   // the service was reached and refused what was sent: a bug to fix, not a wait to ride out
    [InlineData(404, false)]
    [InlineData(414, false)]
    public void A_downstream_answer_is_an_outage_only_when_it_is_5xx_or_missing(int? status, bool outage)
    {
        var error = new HttpRequestException("downstream", null, (HttpStatusCode?)status);

        Assert.Equal(outage, OutageResponses.IsUnavailable(error));
        Assert.Equal(outage, OutageResponses.IsUnavailable(new InvalidOperationException("wrapped", error)));
    }

    [Fact]
    public async Task Health_covers_the_stores_and_alive_covers_only_the_process()
    {
        var database = await infrastructure.CreateDatabaseAsync("defaults");
        var missing = new NpgsqlConnectionStringBuilder(database) { Database = "does_not_exist" }.ConnectionString;

        await using (var healthyApp = await StartAsync(new()
        {
            ["ConnectionStrings:sampledb"] = database,
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
        }))
        {
            using var client = healthyApp.GetTestClient();
            using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
            var body = await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Contains("SampleDb", body, StringComparison.Ordinal);
            Assert.Contains("StackExchange.Redis", body, StringComparison.Ordinal);
        }

        await using var brokenApp = await StartAsync(new()
        {
            ["ConnectionStrings:sampledb"] = missing,
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
        });
        using var broken = brokenApp.GetTestClient();
        using var unhealthy = await broken.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        using var alive = await broken.GetAsync(new Uri("/alive", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Tokens_are_validated_and_roles_enforced()
    {
        await using var app = await StartAsync(new()
        {
            ["ConnectionStrings:sampledb"] = await infrastructure.CreateDatabaseAsync("defaults"),
            ["ConnectionStrings:redis"] = await infrastructure.CreateRedisDatabaseAsync(),
        });
        var userId = Guid.CreateVersion7();
        var wrongIssuer = new TokenIssuer(new JwtOptions { SigningKey = TestTokens.SigningKey, Issuer = "someone-else", Audience = TestTokens.Issuer }, TimeProvider.System)
            .CreateAccessToken(userId, "x@example.test", Roles.Customer);
        var otherKey = new TokenIssuer(new JwtOptions { SigningKey = new string('k', 40) }, TimeProvider.System)
            .CreateAccessToken(userId, "x@example.test", Roles.Admin);
        var customer = TestTokens.Customer(userId);
        var tampered = customer[..^4] + (customer[^4..] == "AAAA" ? "BBBB" : "AAAA");

        async Task<HttpStatusCode> Call(string path, string? token)
        {
            using var client = app.GetTestClient();
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            }

            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Call("/me", customer));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", TestTokens.Expired(userId)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", wrongIssuer));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", otherKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", tampered));
        // Second spellings of the same valid token (hardening round 3, defect 14): padding at the end or inside, an extra segment.
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", customer + "="));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", customer + "=="));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", customer + "."));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call("/me", customer[..customer.LastIndexOf('.')] + "=." + customer[(customer.LastIndexOf('.') + 1)..]));
        Assert.Equal(HttpStatusCode.Forbidden, await Call("/admin", customer));
        Assert.Equal(HttpStatusCode.OK, await Call("/admin", TestTokens.Admin()));

        using var me = app.GetTestClient();
        me.DefaultRequestHeaders.Authorization = new("Bearer", customer);
        Assert.Equal(userId, await me.GetFromJsonAsync<Guid>("/me", TestContext.Current.CancellationToken));
    }
}
