using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EndToEnd.Tests;

public sealed class PlatformTests(PlatformFixture platform)
{
    [Fact]
    public async Task Every_service_is_healthy_behind_the_gateway_and_every_resource_is_up_in_Aspire()
    {
        using var client = platform.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        var health = await response.Content.ReadFromJsonAsync<Health>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var resources = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources;
        var services = resources.OfType<ProjectResource>().Where(p => p.Name != "gateway").Select(p => p.Name).ToList();
        Assert.Equal(["identity-api", "catalog-api", "payments-api", "ordering-api", "cart-api", "search-api"], services);
        Assert.All(services, name => Assert.Equal("Healthy", health!.Checks[name].Status));

        // What the dashboard shows: the one-shot initdb step finished, everything else running and healthy.
        var notifications = platform.App.ResourceNotifications;
        foreach (var resource in resources.Where(r => r is not ParameterResource))
        {
            Assert.True(notifications.TryGetCurrentState(resource.Name, out var current), $"{resource.Name} has no state");
            var snapshot = current!.Snapshot;
            if (snapshot.IsHidden) continue; // Aspire's own helpers (a project's "-rebuilder"), not on the dashboard
            if (resource.Name == "postgres-init")
            {
                Assert.Equal(KnownResourceStates.Finished, snapshot.State?.Text);
                Assert.Equal(0, snapshot.ExitCode);
                continue;
            }

            Assert.True(snapshot.State?.Text == KnownResourceStates.Running, $"{resource.Name} is {snapshot.State?.Text}");
            if (resource.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _))
            {
                Assert.True(snapshot.HealthStatus == HealthStatus.Healthy, $"{resource.Name} is {snapshot.HealthStatus}");
            }
        }
    }

    private sealed record Health(string Status, Dictionary<string, HealthEntry> Checks);

    private sealed record HealthEntry(string Status);
}
