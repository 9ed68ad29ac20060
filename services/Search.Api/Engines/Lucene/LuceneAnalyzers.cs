using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.NGram;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Search.Api.Engines.Lucene;

/// <summary>
/// The analysis chains: standard tokens, lower case, accents folded, English stop words and Porter stems.
/// Synonyms are expanded at index time (so queries stay single-token per word and typo fallback works on
/// them); changing the synonyms file therefore needs a reindex. Suggest uses edge n-grams of the name.
/// </summary>
public static class LuceneAnalyzers
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static Analyzer Index(SynonymMap? synonyms) => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new LowerCaseFilter(Version, source);
        stream = new ASCIIFoldingFilter(stream);
        if (synonyms is not null)
        {
            stream = new SynonymFilter(stream, synonyms, ignoreCase: true);
        }

        stream = new StopFilter(Version, stream, EnglishAnalyzer.DefaultStopSet);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    });

    public static Analyzer Query() => Index(synonyms: null);

    /// <summary>Lower-cased, folded words, unstemmed: what a prefix is matched with.</summary>
    public static Analyzer Words() => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        return new TokenStreamComponents(source, new ASCIIFoldingFilter(new LowerCaseFilter(Version, source)));
    });

    public static Analyzer EdgeNGrams() => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new ASCIIFoldingFilter(new LowerCaseFilter(Version, source));
        return new TokenStreamComponents(source, new EdgeNGramTokenFilter(Version, stream, 1, 20));
    });

    /// <summary>Solr-format synonym lines ("sneaker, trainer") into a map; null when there are none.</summary>
    public static SynonymMap? Synonyms(IReadOnlyList<string> lines)
    {
        var text = string.Join('\n', lines.Where(l => !string.IsNullOrWhiteSpace(l)));
        if (text.Length == 0)
        {
            return null;
        }

        using var analyzer = Words();
        var parser = new SolrSynonymParser(dedup: true, expand: true, analyzer);
        parser.Parse(new StringReader(text));
        return parser.Build();
    }

    /// <summary>The terms of a text with their offsets, as the analyzer sees them.</summary>
    public static List<(string Term, int Start, int End)> Tokens(Analyzer analyzer, string field, string text)
    {
        var tokens = new List<(string, int, int)>();
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            tokens.Add((term.ToString(), offset.StartOffset, offset.EndOffset));
        }

        stream.End();
        return tokens;
    }
}
