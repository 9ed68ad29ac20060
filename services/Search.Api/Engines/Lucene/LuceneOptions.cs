using System.ComponentModel.DataAnnotations;
namespace Search.Api.Engines.Lucene;

/// <summary>Settings under <c>Search:Lucene</c>.</summary>
public sealed class LuceneOptions
{
    /// <summary>Where this instance keeps its index (one per instance; relative paths are under the content root).</summary>
    [Required, MinLength(1)]
    public string Directory { get; set; } = "data/lucene";

    /// <summary>How often pending writes are committed to disk. Searches see writes at once (near-real-time) either way.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a swapped-out index stays open for searches still running on it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetireAfter { get; set; } = TimeSpan.FromSeconds(10);
}
