using System.Globalization;
using Ecommerce.Authentication;
using Ecommerce.Http.Input;
using Ecommerce.Http.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Search.Api.Indexing;

namespace Search.Api.Search;

public sealed record Suggestions(string Q, IReadOnlyList<string> Items);

public static class SearchEndpoints
{
    
    public static void MapSearch(this IEndpointRouteBuilder app)
    {
        var search = app.MapGroup("/api/search").WithTags("Search");
        search.MapGet("/", Search);
        search.MapGet("/suggest", Suggest);

        var admin = search.MapGroup("/").RequireAuthorization(Policies.Admin);
        admin.MapPost("/reindex", StartReindex);
        admin.MapGet("/reindex", (Rebuilder rebuilder) => TypedResults.Ok(rebuilder.Status));
        admin.MapPost("/reconcile", async (Rebuilder rebuilder, CancellationToken ct) => TypedResults.Ok(await rebuilder.ReconcileAsync(ct)));
    }

    private static async Task<Results<Ok<SearchResult>, ProblemHttpResult>> Search(HttpRequest request, ISearchEngine engine, CancellationToken ct)
    {
        if (Parse(request.Query, out var error) is not { } query) return ValidationProblems.Field(error.Field, error.Message);
        // Only symbols or emoji ("!!!", "🙂"): no engine has a word to look for, and an engine that analyses the text to
        // nothing would answer "everything". Nothing matches; it is a search that found nothing, not a bad request.
        if (query.Text is { } text && DidYouMean.HasNoWords(text)) return TypedResults.Ok(SearchResult.Empty);
        return TypedResults.Ok(await engine.SearchAsync(query, ct));
    }

    private static async Task<Results<Ok<Suggestions>, ProblemHttpResult>> Suggest(string? q, int? limit, ISearchEngine engine, CancellationToken ct)
    {
        var prefix = SearchText.Clean(q);
        if (prefix.Length is 0 or > 100) return ValidationProblems.Field("q", "q is required, 1 to 100 characters.");
        if (limit is < 1 or > 20) return ValidationProblems.Field("limit", "limit must be from 1 to 20.");
        return TypedResults.Ok(new Suggestions(prefix, await engine.SuggestAsync(prefix, limit ?? 10, ct)));
    }

    private static Results<Accepted<ReindexStatus>, ProblemHttpResult> StartReindex(Rebuilder rebuilder) =>
        rebuilder.TryStartReindex()
            ? TypedResults.Accepted("/api/search/reindex", rebuilder.Status)
            : Problem.Of(ProblemTypes.ReindexRunning, "A reindex or reconciliation is already running; GET /api/search/reindex for its progress.");

    /// <summary>The query from the URL, or null with the reason. The text is only ever analysed into words, never parsed as syntax.</summary>
    public static SearchQuery? Parse(IQueryCollection q, out (string Field, string Message) error)
    {
        error = ("", "");
        var text = SearchText.Clean(q["q"].ToString());
        if (text.Length > SearchQuery.MaxTextLength)
        {
            error = ("q", $"q is at most {SearchQuery.MaxTextLength} characters.");
            return null;
        }

        var sort = q["sort"].FirstOrDefault() ?? SearchSorts.Relevance;
        if (!SearchSorts.All.Contains(sort))
        {
            error = ("sort", $"sort must be one of {string.Join(", ", SearchSorts.All)}.");
            return null;
        }

        if (!TryInt(q["page"], 1, out var page) || page is < 1 or > SearchQuery.MaxPage)
        {
            error = ("page", $"page must be from 1 to {SearchQuery.MaxPage}.");
            return null;
        }

        if (!TryInt(q["pageSize"], 20, out var pageSize) || pageSize is < 1 or > SearchQuery.MaxPageSize)
        {
            error = ("pageSize", $"pageSize must be from 1 to {SearchQuery.MaxPageSize}.");
            return null;
        }

        if (!TryDecimal(q["minPrice"], out var min) || !TryDecimal(q["maxPrice"], out var max) || min < 0 || (min is not null && max is not null && min > max))
        {
            error = ("minPrice", "minPrice and maxPrice must be numbers with 0 ≤ minPrice ≤ maxPrice.");
            return null;
        }

        bool? inStock = null;
        if (q["inStock"].Count > 0)
        {
            if (!bool.TryParse(q["inStock"].ToString(), out var flag))
            {
                error = ("inStock", "inStock must be true or false.");
                return null;
            }

            inStock = flag;
        }

        var category = q["category"].FirstOrDefault();
        var brand = q["brand"].FirstOrDefault();
        if (category?.Length > 100 || brand?.Length > 100)
        {
            error = (category?.Length > 100 ? "category" : "brand", "category and brand are at most 100 characters.");
            return null;
        }

        return new SearchQuery(text.Length == 0 ? null : text, string.IsNullOrEmpty(category) ? null : category, string.IsNullOrEmpty(brand) ? null : brand,
            min, max, inStock, sort, page, pageSize);
    }


    private static bool TryInt(Microsoft.Extensions.Primitives.StringValues value, int fallback, out int result)
    {
        result = fallback;
        return value.Count == 0 || int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    private static bool TryDecimal(Microsoft.Extensions.Primitives.StringValues value, out decimal? result)
    {
        result = null;
        if (value.Count == 0) return true;
        // Invariant and without group separators: "1,5" is refused, not read as 15.
        if (value.Count > 1 || !Ecommerce.Http.Input.InvariantNumbers.TryParseDecimal(value.ToString(), out var d) || d > 1_000_000_000m) return false;
        result = d;
        return true;
    }
}
