using System.Globalization;

namespace Ecommerce.AppHost.Hosting;

/// <summary>The AppHost's own command-line flags; everything else goes to configuration (e.g. <c>--ConnectionStrings:postgres=…</c>).</summary>
public sealed record AppHostOptions
{
    public int GatewayPort { get; init; } = 8080;
    public string StateDirectory { get; init; } = "";
    public bool Fresh { get; init; }
    public bool UseContainers { get; init; } = true;
    public int SeedProducts { get; init; }
    public string Environment { get; init; } = "Development";

    public const string Usage = """
        Usage: dotnet run --project Ecommerce.AppHost -- [options]
          --gateway-port <port>   public port of the gateway (default 8080; 0 picks a free one)
          --state <dir>           where local PostgreSQL/Redis keep their data (default .state/ in the repository)
          --fresh                 delete the state folder first (all local data is lost)
          --seed <n>              have the catalog generate n products on start
          --no-containers         never use Docker, even when an engine answers
          --environment <name>    ASPNETCORE_ENVIRONMENT for the services (default Development)
        Backing stores come from ConnectionStrings__<name> when set (postgres, redis, mongodb, elasticsearch),
        else a container when Docker answers, else local binaries (PostgreSQL, Redis).
        """;

    public static (AppHostOptions Options, string[] Remaining) Parse(string[] args, string repositoryRoot)
    {
        var options = new AppHostOptions { StateDirectory = Path.Combine(repositoryRoot, ".state") };
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length
                ? args[++i]
                : throw new AppHostException($"{args[i]} needs a value.\n{Usage}");

            int Number(string flag)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    ? n
                    : throw new AppHostException($"{flag} expects a whole number, not '{text}'.");
            }

            switch (args[i])
            {
                case "--gateway-port":
                    var port = Number("--gateway-port");
                    options = port <= 65535 ? options with { GatewayPort = port } : throw new AppHostException($"--gateway-port {port} is not a port.");
                    break;
                case "--state": options = options with { StateDirectory = Path.GetFullPath(Value()) }; break;
                case "--fresh": options = options with { Fresh = true }; break;
                case "--no-containers": options = options with { UseContainers = false }; break;
                case "--seed": options = options with { SeedProducts = Number("--seed") }; break;
                case "--environment": options = options with { Environment = Value() }; break;
                case "--help" or "-h": throw new AppHostException(Usage, exitCode: 0);
                default: rest.Add(args[i]); break;
            }
        }

        return (options, rest.ToArray());
    }
}

/// <summary>A failure the user can fix: printed as one clear message, no stack trace.</summary>
public sealed class AppHostException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
