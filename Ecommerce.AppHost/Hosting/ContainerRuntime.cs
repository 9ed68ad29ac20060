using System.Diagnostics;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// Whether a container engine answers (not just a client on PATH): <c>{runtime} info</c> within five seconds.
/// Aspire itself only checks when the model holds containers, and then fails; we ask first so that without an engine
/// the same resource names run the machine's own binaries instead.
/// </summary>
internal static class ContainerRuntime
{
    public static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return false;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill();
                return false;
            }

            return process.ExitCode == 0 && !string.IsNullOrWhiteSpace(output.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such program
        }
    }
}
