using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Ecommerce.AppHost.Tests;

/// <summary>
/// ServiceDefaults' sampler against a real PostgreSQL: a query with no activity around it (an idle poll) is not traced,
/// the same query inside a job's span is.
/// </summary>
public sealed class IdlePollSamplerTests(TestInfrastructure infrastructure)
{
    private sealed class SampleDb(DbContextOptions<SampleDb> options) : DbContext(options);

    private sealed class Capture(ConcurrentBag<Activity> ended) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => ended.Add(data);
    }

    private static readonly ActivitySource Job = new("Ecommerce.SamplerTest");

    [Fact]
    public async Task A_root_database_span_is_dropped_and_one_under_a_job_is_kept()
    {
        var ended = new ConcurrentBag<Activity>();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:sampledb"] = await infrastructure.CreateDatabaseAsync("sampler"),
        });
        builder.AddServiceDefaults();
        builder.AddNpgsqlDbContext<SampleDb>("sampledb");
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Capture(ended)));
        await using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SampleDb>();
            await db.Database.ExecuteSqlRawAsync("SELECT 1 /* idle poll */", TestContext.Current.CancellationToken);
            using (var job = Job.StartActivity("job with work"))
            {
                Assert.NotNull(job);
                await db.Database.ExecuteSqlRawAsync("SELECT 2 /* work */", TestContext.Current.CancellationToken);
            }
        }

        await app.StopAsync(TestContext.Current.CancellationToken);
        var clientSpans = ended.Where(a => a.Kind == ActivityKind.Client).ToList();
        var kept = Assert.Single(clientSpans);
        Assert.NotEqual(default, kept.ParentSpanId);
        Assert.Contains(ended, a => a.DisplayName == "job with work");
    }
}
