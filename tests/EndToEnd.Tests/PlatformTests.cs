using System.Net;
using System.Net.Http.Json;
using Ecommerce.AppHost.Hosting;

namespace EndToEnd.Tests;

public sealed class PlatformTests(PlatformFixture platform)
{
    [Fact]
    public async Task Every_service_is_healthy_behind_the_gateway()
    {
        using var client = platform.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        var health = await response.Content.ReadFromJsonAsync<Health>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var services = platform.App.Resources.OfType<ProjectResource>().Where(p => p.Name != "gateway").Select(p => p.Name);
        Assert.All(services, name => Assert.Equal("Healthy", health!.Checks[name].Status));
        Assert.All(platform.App.Resources.Where(r => r is not OptionalStoreResource),
            r => Assert.Contains(r.State, new[] { ResourceState.Running, ResourceState.Healthy }));
    }

    private sealed record Health(string Status, Dictionary<string, HealthEntry> Checks);

    private sealed record HealthEntry(string Status);
}
