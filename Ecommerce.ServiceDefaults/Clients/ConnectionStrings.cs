using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

internal static class ConnectionStrings
{
    /// <summary>
    /// Reads a connection string the way Aspire's client integrations do: the settings section's own
    /// <c>ConnectionString</c> wins, then <c>ConnectionStrings:&lt;name&gt;</c>. A missing one fails at
    /// start-up with a message that says which key to set, never later on the first request.
    /// </summary>
    public static string Require(IConfiguration configuration, string settingsSection, string name)
    {
        var value = configuration[$"{settingsSection}:ConnectionString"];
        if (string.IsNullOrWhiteSpace(value))
        {
            value = configuration.GetConnectionString(name);
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Connection string '{name}' is missing. Set ConnectionStrings__{name} (the AppHost does this), " +
                $"or {settingsSection.Replace(":", "__", StringComparison.Ordinal)}__ConnectionString.");
        }

        return value;
    }
}
