namespace Search.Api.Indexing;

/// <summary>Settings under <c>Search</c>.</summary>
public sealed class SearchOptions
{
    /// <summary><c>lucene</c> (default), <c>postgres</c> or <c>elasticsearch</c>.</summary>
    public string Engine { get; set; } = "lucene";

    public string? SynonymsFile { get; set; }

    /// <summary>Consumer group on the event streams. Default: one per Lucene index (each instance has its own), one shared otherwise.</summary>
    public string? ConsumerGroup { get; set; }

    public string StockKey { get; set; } = "search:stock";

    public string CatalogUrl { get; set; } = "http://catalog-api";
    public string InventoryUrl { get; set; } = "http://ordering-api";

    /// <summary>Rebuild from the catalog at start-up when the index is empty (a new instance, or a catalog seeded without events).</summary>
    public bool ReindexWhenEmpty { get; set; } = true;

    /// <summary>How often the index is compared with the catalog and repaired; zero turns it off.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(15);
}
