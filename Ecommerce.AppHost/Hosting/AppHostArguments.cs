using System.Globalization;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// The AppHost's own short flags, turned into configuration keys before Aspire reads the command line; everything else
/// (Aspire's own <c>--publisher manifest</c>, <c>--Cart:Store postgres</c> …) passes through unchanged.
/// </summary>
public static class AppHostArguments
{
    public const string Usage = """
        Usage: ./scripts/run [options]   (or dotnet run --project Ecommerce.AppHost -- [options])
          --gateway-port <port>   the gateway's public port (default 8080; 0 picks a free one)
          --state <dir>           where local PostgreSQL/Redis/Lucene keep their data (default .state/ in the repository)
          --fresh                 delete the state folder first (all local data is lost)
          --seed <n>              have the catalog generate n products on start
          --stock <n>             units every catalog sku without stock gets on start (default 100; 0: none)
          --no-containers         never use a container runtime, even when one answers
          --environment <name>    ASPNETCORE_ENVIRONMENT of the services (default Development)
          --Catalog:Store postgres|mongodb   --Cart:Store redis|postgres   --Search:Engine lucene|postgres|elasticsearch
        Stores come from ConnectionStrings__<name> when given (postgres, redis, mongodb, elasticsearch), else a container
        when a runtime answers, else the machine's own binaries.
        """;

    /// <returns>The arguments for Aspire, or null when only the usage was asked for.</returns>
    public static string[]? Translate(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            string Number(string flag) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1_000_000
                ? n.ToString(CultureInfo.InvariantCulture)
                : throw new ArgumentException($"{flag} expects a whole number, not '{args[i]}'.");

            switch (args[i])
            {
                case "--gateway-port": result.Add($"--AppHost:GatewayPort={Number("--gateway-port")}"); break;
                case "--state": result.Add($"--AppHost:State={Path.GetFullPath(Value())}"); break;
                case "--fresh": result.Add("--AppHost:Fresh=true"); break;
                case "--seed": result.Add($"--Catalog:Seed:Products={Number("--seed")}"); break;
                case "--stock": result.Add($"--AppHost:Stock={Number("--stock")}"); break;
                case "--no-containers": result.Add("--AppHost:Containers=false"); break;
                case "--environment": result.Add($"--AppHost:Environment={Value()}"); break;
                case "--help" or "-h": return null;
                default: result.Add(args[i]); break;
            }
        }

        return [.. result];
    }
}
