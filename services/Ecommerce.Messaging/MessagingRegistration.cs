using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ecommerce.Messaging;

/// <summary>
/// One call per relay or consumer instead of a block copied into every Program.cs. Options are bound and checked with
/// ServiceDefaults' <c>AddValidatedOptions</c>, like every other setting: a typo such as <c>BatchSize: 0</c> stops the
/// service at start-up instead of leaving a relay that never sends.
/// </summary>
public static class MessagingRegistration
{
    public const string OutboxSection = "Outbox";
    public const string ConsumersSection = "Consumers";

    /// <summary>
    /// The service's outbox relay: a singleton (writers call <see cref="OutboxRelay.Notify"/>), resolvable as itself and as
    /// <see cref="OutboxRelay"/>, and a hosted service when <c>Outbox:RelayEnabled</c> is true.
    /// </summary>
    public static IHostApplicationBuilder AddOutboxRelay<TRelay>(this IHostApplicationBuilder builder) where TRelay : OutboxRelay
    {
        var options = builder.AddValidatedOptions<OutboxOptions>(OutboxSection);
        builder.Services.AddSingleton<TRelay>();
        if (typeof(TRelay) != typeof(OutboxRelay))
        {
            builder.Services.AddSingleton<OutboxRelay>(sp => sp.GetRequiredService<TRelay>());
        }

        if (options.RelayEnabled)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<TRelay>());
        }

        return builder;
    }

    /// <summary>A consumer of one stream: a singleton (tests and endpoints reach it) run as a hosted service.</summary>
    public static IHostApplicationBuilder AddEventConsumer<TConsumer>(this IHostApplicationBuilder builder) where TConsumer : EventConsumer
    {
        builder.AddValidatedOptions<ConsumerOptions>(ConsumersSection);
        builder.Services.AddSingleton<TConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TConsumer>());
        return builder;
    }
}
