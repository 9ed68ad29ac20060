using Microsoft.AspNetCore.Http;

namespace Ecommerce.Http.Problems;

/// <summary>
/// Gives the framework's own problems (status code pages, the exception handler) a type and title from the table:
/// without it a 401 from the JWT challenge or a 404 for no route reads "https://tools.ietf.org/…", a type no client
/// of ours can branch on.
/// </summary>
public static class BareStatusProblems
{
    private const string FrameworkTypes = "https://tools.ietf.org/";

    public static void Fill(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is not null && !problem.Type.StartsWith(FrameworkTypes, StringComparison.Ordinal)) return;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (ProblemTypes.ForBareStatus(status) is not { } type) return;
        problem.Type = type.Uri;
        problem.Title = type.Title;
        problem.Status = status;
    }
}
