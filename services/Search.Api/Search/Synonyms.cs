namespace Search.Api.Search;

/// <summary>
/// Synonym groups in Solr format, one group per line ("sneaker, trainer, running shoe"); '#' starts a comment.
/// Read from <c>Search:SynonymsFile</c> (default: synonyms.txt next to the service). Every engine uses the same groups.
/// </summary>
public sealed class Synonyms(IReadOnlyList<string> lines)
{
    public IReadOnlyList<string> Lines { get; } = lines.Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>Each word's group (single words only; multi-word entries are left to the engines that handle phrases).</summary>
    public IReadOnlyDictionary<string, string[]> Groups { get; } = lines
        .Select(l => l.Split('#')[0].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        .Where(g => g.Length > 1)
        .SelectMany(g => g.Where(w => !w.Contains(' ', StringComparison.Ordinal)).Select(w => (Word: w.ToLowerInvariant(), Group: g.Select(x => x.ToLowerInvariant()).ToArray())))
        .GroupBy(x => x.Word)
        .ToDictionary(x => x.Key, x => x.SelectMany(y => y.Group).Distinct().ToArray());

    public static Synonyms Load(string? path)
    {
        var file = string.IsNullOrEmpty(path) ? Path.Combine(AppContext.BaseDirectory, "synonyms.txt") : path;
        return new Synonyms(File.Exists(file) ? File.ReadAllLines(file) : []);
    }
}
