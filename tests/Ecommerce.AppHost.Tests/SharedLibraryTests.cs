using System.Text.Json;
using System.Xml.Linq;

namespace Ecommerce.AppHost.Tests;

/// <summary>
/// The shared libraries keep one job each (docs/architecture.md): checked from what NuGet resolved for them
/// (obj/project.assets.json, transitive packages included) and from their project files, so a store package that
/// creeps back into ServiceDefaults, or plumbing into the event contracts, fails here.
/// </summary>
public sealed class SharedLibraryTests
{
    private static List<string> ResolvedPackages(string projectDirectory)
    {
        var assets = Path.Combine(Repository.Root, projectDirectory, "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        return json.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(library => library.Value.GetProperty("type").GetString() == "package")
            .Select(library => library.Name.Split('/')[0])
            .ToList();
    }

    private static List<string> ProjectReferences(string projectFile) =>
        XDocument.Load(Path.Combine(Repository.Root, projectFile)).Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value))
            .ToList();

    [Fact]
    public void ServiceDefaults_resolves_no_store_package()
    {
        var packages = ResolvedPackages("Ecommerce.ServiceDefaults");

        Assert.Contains("OpenTelemetry.Extensions.Hosting", packages); // the check reads the right file
        Assert.DoesNotContain(packages, p => p.StartsWith("Npgsql", StringComparison.OrdinalIgnoreCase)
            || p.StartsWith("StackExchange.Redis", StringComparison.OrdinalIgnoreCase)
            || p.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.OrdinalIgnoreCase)
            || p.StartsWith("MongoDB", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(ProjectReferences("Ecommerce.ServiceDefaults/Ecommerce.ServiceDefaults.csproj"));
    }

    [Fact]
    public void ServiceDefaults_stays_under_600_lines()
    {
        var lines = Directory.EnumerateFiles(Path.Combine(Repository.Root, "Ecommerce.ServiceDefaults"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Sum(file => File.ReadLines(file).Count());

        Assert.InRange(lines, 1, 599);
    }

    [Fact]
    public void Event_contracts_hold_records_only()
    {
        var packages = ResolvedPackages("services/Ecommerce.Contracts");

        Assert.Empty(packages);
        Assert.Empty(ProjectReferences("services/Ecommerce.Contracts/Ecommerce.Contracts.csproj"));
    }

    [Fact]
    public void Domain_primitives_depend_on_nothing()
    {
        Assert.Empty(ResolvedPackages("services/Ecommerce.Domain"));
        Assert.Empty(ProjectReferences("services/Ecommerce.Domain/Ecommerce.Domain.csproj"));
    }
}
