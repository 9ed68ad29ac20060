using System.ComponentModel.DataAnnotations;
namespace Search.Api.Indexing;

/// <summary>Settings under <c>Search</c>.</summary>
public sealed class SearchOptions
{
    /// <summary><c>lucene</c> (default), <c>postgres</c> or <c>elasticsearch</c>.</summary>
    [AllowedValues("lucene", "postgres", "elasticsearch")]
    public string Engine { get; set; } = "lucene";

    public string? SynonymsFile { get; set; }

    /// <summary>Consumer group on the event streams. Default: one per Lucene index (each instance has its own), one shared otherwise.</summary>
    public string? ConsumerGroup { get; set; }

    [Required, MinLength(1)]

    public string StockKey { get; set; } = "search:stock";

    [Required, Url]

    public string CatalogUrl { get; set; } = "http://catalog-api";
    [Required, Url]
    public string InventoryUrl { get; set; } = "http://ordering-api";

    /// <summary>Rebuild from the catalog at start-up when the index is empty (a new instance, or a catalog seeded without events).</summary>
    public bool ReindexWhenEmpty { get; set; } = true;

    /// <summary>How often the index is compared with the catalog and repaired; zero turns it off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(15);
}
