using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A service's settings, read once at start-up and checked against their DataAnnotations rules before anything runs: a
/// zero poll interval or a negative limit stops the start with the setting's name, instead of a busy loop or a
/// confusing failure later. The instance is registered as a singleton (what the services take) and returned, because
/// some settings decide what gets registered (the store, the engine).
/// </summary>
public static class ValidatedOptions
{
    public static T AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section) where T : class, new()
    {
        var options = builder.Configuration.GetSection(section).Get<T>() ?? new T();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(section, typeof(T),
                results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        // TryAdd: several registrations may share a section (two consumers, one Consumers section); the first stays.
        builder.Services.TryAddSingleton(options);
        return options;
    }
}
