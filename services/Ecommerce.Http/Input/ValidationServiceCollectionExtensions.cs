using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ecommerce.Http.Input;

public static class ValidationServiceCollectionExtensions
{
    /// <summary>
    /// Strict JSON numbers (the web defaults read <c>"quantity":"5"</c> as 5, which the docs say is refused) and bind
    /// failures thrown to <see cref="BadRequestExceptionHandler"/> so they are answered with the field they concern.
    /// </summary>
    public static IServiceCollection AddRequestValidation(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        return services;
    }
}
