namespace Ecommerce.AppHost.Hosting;

/// <summary>The state folder: local stores' data, the Lucene index. Kept across runs; <c>--fresh</c> empties it first.</summary>
public static class AppHostState
{
    public static void Prepare(string state, bool fresh)
    {
        if (fresh && Directory.Exists(state))
        {
            // A PostgreSQL data folder that had to live elsewhere (see StoreProvisioner) goes with it.
            foreach (var note in Directory.GetFiles(state, "*-data-location.txt"))
            {
                var elsewhere = File.ReadAllText(note).Trim();
                if (elsewhere.StartsWith("/var/lib/postgresql/polyglot-commerce/", StringComparison.Ordinal) && Directory.Exists(elsewhere))
                {
                    Directory.Delete(elsewhere, recursive: true);
                }
            }

            Directory.Delete(state, recursive: true);
        }

        Directory.CreateDirectory(state);
    }
}
