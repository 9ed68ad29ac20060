using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ecommerce.AppHost.Tests;

/// <summary>A service's settings are checked when it starts, and a bad one names itself.</summary>
public sealed class ValidatedOptionsTests
{
    private sealed class PollingOptions
    {
        [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

        [AllowedValues("redis", "postgres")]
        public string Store { get; set; } = "redis";
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Fact]
    public void Settings_within_their_rules_are_bound_and_registered()
    {
        var builder = Builder(new() { ["Polling:PollInterval"] = "00:00:00.250", ["Polling:Store"] = "postgres" });

        var options = builder.AddValidatedOptions<PollingOptions>("Polling");

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.PollInterval);
        using var services = builder.Services.BuildServiceProvider();
        Assert.Same(options, services.GetRequiredService<PollingOptions>());
    }

    [Fact]
    public void Absent_settings_keep_their_defaults()
    {
        var options = Builder([]).AddValidatedOptions<PollingOptions>("Polling");

        Assert.Equal(TimeSpan.FromSeconds(1), options.PollInterval);
        Assert.Equal("redis", options.Store);
    }

    [Fact]
    public void A_setting_outside_its_rules_stops_the_start_and_names_every_bad_setting()
    {
        var builder = Builder(new() { ["Polling:PollInterval"] = "00:00:00", ["Polling:Store"] = "mongodb" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddValidatedOptions<PollingOptions>("Polling"));

        Assert.Contains(error.Failures, f => f.StartsWith("Polling:PollInterval:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Polling:Store:", StringComparison.Ordinal));
        Assert.DoesNotContain(builder.Services, s => s.ServiceType == typeof(PollingOptions));
    }
}
