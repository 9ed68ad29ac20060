using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// Once the gateway is ready (it waits for every service, which wait for their stores), prints where everything is:
/// one line per resource, the dashboard, the gateway and the admin's sign-in call. Scripts read these lines.
/// </summary>
public static class ReadySummary
{
    public static void PrintWhenReady(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ParameterResource> adminPassword, string adminEmail)
    {
        var clock = Stopwatch.StartNew();
        gateway.OnResourceReady(async (resource, @event, ct) =>
        {
            var model = @event.Services.GetRequiredService<DistributedApplicationModel>();
            var lines = new List<string>();
            foreach (var r in model.Resources)
            {
                var address = r switch
                {
                    ProjectResource p => p.GetEndpoint("http").Url,
                    LocalPostgresServerResource pg => $"postgres://127.0.0.1:{pg.Endpoint.Port}",
                    LocalRedisResource redis => $"redis://127.0.0.1:{redis.Endpoint.Port}",
                    ContainerResource c when c.TryGetEndpoints(out var endpoints) && endpoints.FirstOrDefault() is { AllocatedEndpoint: { } e } =>
                        $"{e.UriScheme}://{e.Address}:{e.Port}",
                    _ => null,
                };
                if (address is not null) lines.Add($"{r.Name,-16} {KindOf(r),-10} {address}");
            }

            var password = await adminPassword.Resource.GetValueAsync(ct);
            var dashboard = builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0];
            Console.WriteLine(string.Join('\n', lines));
            Console.WriteLine($"Admin sign-in: POST /api/identity/token {{\"email\":\"{adminEmail}\",\"password\":\"{password}\"}}");
            if (dashboard is not null && !builder.Configuration.GetValue<bool>("ASPIRE_DASHBOARD_DISABLED")) Console.WriteLine($"Dashboard: {dashboard}");
            Console.WriteLine($"Gateway: {resource.GetEndpoint("http").Url}   (Ctrl+C stops everything)");
            Console.WriteLine($"Ready in {clock.Elapsed.TotalSeconds:0.0} s.");
        });
    }

    private static string KindOf(IResource resource) => resource switch
    {
        ProjectResource => "project",
        ContainerResource => "container",
        ExecutableResource => "executable",
        _ => resource.GetType().Name,
    };
}
