namespace Ecommerce.AppHost.Tests;

internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string AppHostAssembly { get; } = Path.Combine(Root, "Ecommerce.AppHost", "bin",
        typeof(Repository).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "BuildConfiguration").Value!,
        "net10.0", "Ecommerce.AppHost.dll");

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
