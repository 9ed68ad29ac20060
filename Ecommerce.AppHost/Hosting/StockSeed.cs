using System.Net.Http.Headers;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// Demo stock (<c>--stock n</c>, default 100; 0 turns it off): once ordering is ready and the catalog healthy (it seeds
/// before it listens, so every seeded product exists by then), ordering's admin endpoint gives every catalog sku that has
/// no stock n units. It runs on every start and only fills gaps, so stock an admin set or customers bought stays as is.
/// A failure is logged on ordering's resource and does not stop the platform: a shopper then sees "out of stock".
/// </summary>
public static partial class StockSeed
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    public static IResourceBuilder<ProjectResource> SeedStockWhenReady(this IResourceBuilder<ProjectResource> ordering,
        IResourceBuilder<ProjectResource> catalog, int onHand, IResourceBuilder<ParameterResource> signingKey)
    {
        if (onHand <= 0) return ordering;
        return ordering.OnResourceReady(async (resource, @event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            try
            {
                await @event.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync(catalog.Resource.Name, ct);
                var key = await signingKey.Resource.GetValueAsync(ct) ?? throw new InvalidOperationException("The JWT signing key parameter has no value.");
                var url = new Uri(new Uri(resource.GetEndpoint("http").Url), $"/api/inventory/admin/seed?onHand={onHand}");
                using var request = new HttpRequestMessage(HttpMethod.Post, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminCommands.AdminToken(key));
                using var response = await Http.SendAsync(request, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode) LogStocked(logger, body);
                else LogFailed(logger, (int)response.StatusCode, body);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                LogFailed(logger, 0, ex.Message);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo stock: {Result}")]
    private static partial void LogStocked(ILogger logger, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo stock failed ({Status}): {Detail}")]
    private static partial void LogFailed(ILogger logger, int status, string detail);
}
