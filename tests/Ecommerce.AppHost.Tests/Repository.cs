namespace Ecommerce.AppHost.Tests;

internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string AppHostAssembly => typeof(Ecommerce.AppHost.Hosting.DistributedApplication).Assembly.Location is var location
        && Path.GetDirectoryName(location) is { } dir
        && File.Exists(Path.Combine(dir, "Ecommerce.AppHost.runtimeconfig.json"))
            ? location
            : throw new InvalidOperationException("Ecommerce.AppHost.runtimeconfig.json is not next to the test binaries.");

    public static string NewStateDirectory() =>
        Path.Combine(Path.GetTempPath(), "ecommerce-apphost-tests", Guid.NewGuid().ToString("N")[..12]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ecommerce.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ecommerce.slnx not found above the test binaries.");
    }
}
