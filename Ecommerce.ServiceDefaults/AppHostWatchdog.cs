using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Stops the service when the AppHost that started it is gone (killed with SIGKILL, say), so no service
/// outlives its orchestrator. Active only when <c>ECOMMERCE_APPHOST_PID</c> is set (the AppHost sets it).
/// </summary>
internal sealed class AppHostWatchdog(IHostApplicationLifetime lifetime, int appHostPid) : BackgroundService
{
    public const string Variable = "ECOMMERCE_APPHOST_PID";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!Directory.Exists($"/proc/{appHostPid}"))
            {
                lifetime.StopApplication();
                return;
            }
        }
    }

    public static void AddIfOrchestrated(IHostApplicationBuilder builder)
    {
        if (OperatingSystem.IsLinux()
            && int.TryParse(builder.Configuration[Variable], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            builder.Services.AddHostedService(sp => new AppHostWatchdog(sp.GetRequiredService<IHostApplicationLifetime>(), pid));
        }
    }
}
