using System.Diagnostics;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// Runs official images when a Docker engine answers. Here (no engine) <see cref="IsAvailableAsync"/> is
/// false and stores fall back to local binaries; the code path is the one a developer with Docker gets.
/// </summary>
public sealed class Docker(bool enabled)
{
    private Task<bool>? _available;

    public Task<bool> IsAvailableAsync() => _available ??= enabled ? ProbeAsync() : Task.FromResult(false);

    private static async Task<bool> ProbeAsync()
    {
        try
        {
            var (code, _) = await RunAsync(["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(5));
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker client at all
        }
    }

    /// <summary>Starts a container, published on a free loopback port; returns that port.</summary>
    public async Task<int> RunAsync(string name, string image, int containerPort, IReadOnlyDictionary<string, string> environment,
        string? volume, Action<string> log)
    {
        var port = Ports.GetFree();
        List<string> args = ["run", "-d", "--rm", "--name", name, "-p", $"127.0.0.1:{port}:{containerPort}"];
        foreach (var (key, value) in environment)
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        if (volume is not null)
        {
            args.AddRange(["-v", volume]);
        }

        args.Add(image);
        log($"docker {string.Join(' ', args)}");
        var (code, output) = await RunAsync(args, TimeSpan.FromMinutes(5));
        return code == 0 ? port : throw new AppHostException($"docker run {image} failed: {output}");
    }

    public async Task RemoveAsync(string name) => await RunAsync(["rm", "-f", name], TimeSpan.FromSeconds(30));

    private static async Task<(int Code, string Output)> RunAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
