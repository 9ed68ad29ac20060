using System.Runtime.InteropServices;

namespace Ecommerce.AppHost.Tests;

internal static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    public static bool Send(int pid, int signal) => SendSignal(pid, signal) == 0;

    /// <summary>SIGKILL: a crash, as far as the supervisor can tell.</summary>
    public static bool Kill(int pid) => Send(pid, 9);
}
