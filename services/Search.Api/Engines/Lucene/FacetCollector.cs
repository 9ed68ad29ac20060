using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Search.Api.Search;

namespace Search.Api.Engines.Lucene;

/// <summary>
/// Counts brand, category and price buckets over every matching document from doc values (the Lucene.NET
/// Facet package is not on this registry). Per segment it counts ordinals, and turns them into strings
/// once when the segment ends — no string work per hit.
/// </summary>
public sealed class FacetCollector : ICollector
{
    private readonly Dictionary<string, long> _brands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _categories = new(StringComparer.Ordinal);
    private readonly long[] _prices = new long[PriceBuckets.Edges.Length];
    private SortedDocValues? _brandValues;
    private SortedDocValues? _categoryValues;
    private NumericDocValues? _priceValues;
    private int[] _brandCounts = [];
    private int[] _categoryCounts = [];

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        Flush();
        _brandValues = context.AtomicReader.GetSortedDocValues(LuceneFields.BrandFacet);
        _categoryValues = context.AtomicReader.GetSortedDocValues(LuceneFields.CategoryFacet);
        _priceValues = context.AtomicReader.GetNumericDocValues(LuceneFields.PriceCents);
        _brandCounts = new int[_brandValues?.ValueCount ?? 0];
        _categoryCounts = new int[_categoryValues?.ValueCount ?? 0];
    }

    public void Collect(int doc)
    {
        if (_brandValues?.GetOrd(doc) is >= 0 and var brand) _brandCounts[brand]++;
        if (_categoryValues?.GetOrd(doc) is >= 0 and var category) _categoryCounts[category]++;
        if (_priceValues is not null) _prices[PriceBuckets.IndexOf(_priceValues.Get(doc) / 100m)]++;
    }

    public SearchFacets Result()
    {
        Flush();
        return new SearchFacets(
            PriceBuckets.Top(_brands.Select(kv => new FacetValue(kv.Key, kv.Value))),
            PriceBuckets.Top(_categories.Select(kv => new FacetValue(kv.Key, kv.Value))),
            PriceBuckets.ToBuckets(_prices));
    }

    private void Flush()
    {
        Add(_brandValues, _brandCounts, _brands);
        Add(_categoryValues, _categoryCounts, _categories);
        _brandCounts = [];
        _categoryCounts = [];
    }

    private static void Add(SortedDocValues? values, int[] counts, Dictionary<string, long> into)
    {
        var bytes = new BytesRef();
        for (var ord = 0; values is not null && ord < counts.Length; ord++)
        {
            if (counts[ord] == 0) continue;
            values.LookupOrd(ord, bytes);
            var key = bytes.Utf8ToString();
            into[key] = into.GetValueOrDefault(key) + counts[ord];
        }
    }
}
