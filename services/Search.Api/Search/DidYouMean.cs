namespace Search.Api.Search;

/// <summary>
/// "Did you mean": when an engine found nothing with the words as typed and its typo fallback found products, the
/// query with each word that is in none of those products' names, brands or categories replaced by the nearest word
/// that is (at most 1 edit for words of up to 5 letters, 2 beyond, as the engines' typo matching). Built from the
/// hits, so every engine suggests the same way and the suggestion is a word shoppers see, never an index stem.
/// </summary>
public static class DidYouMean
{
    public static string? From(string? text, IReadOnlyList<SearchHit> hits)
    {
        if (text is null || hits.Count == 0) return null;
        var vocabulary = hits.SelectMany(h => Words(h.Name).Concat(Words(h.Brand)).Concat(Words(h.Category)))
            .GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var words = Words(text);
        var changed = false;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.Length < 4 || vocabulary.ContainsKey(word)) continue; // short words are not typo-matched by any engine
            var best = vocabulary.Keys
                .Select(v => (Word: v, Distance: Distance(word, v)))
                .Where(c => c.Distance <= MaxEdits(word))
                .OrderBy(c => c.Distance).ThenByDescending(c => vocabulary[c.Word]).ThenBy(c => c.Word, StringComparer.Ordinal)
                .Select(c => c.Word).FirstOrDefault();
            if (best is null) continue;
            words[i] = best;
            changed = true;
        }

        return changed ? string.Join(' ', words) : null;
    }

    /// <summary>Lower-case runs of letters and digits: what a shopper would type again.</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return words;
    }

    /// <summary>True when the text has no letter or digit at all (only symbols, punctuation or emoji): nothing to search for.</summary>
    public static bool HasNoWords(string text) => !text.Any(char.IsLetterOrDigit);

    /// <summary>The typo budget every engine uses: 1 edit for words of up to 5 letters, 2 beyond.</summary>
    public static int MaxEdits(string word) => word.Length <= 5 ? 1 : 2;

    /// <summary>Levenshtein distance; <see cref="int.MaxValue"/> when the lengths alone differ by more than any allowed edit.</summary>
    public static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2) return int.MaxValue; // farther than any allowed edit: skip the table
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
