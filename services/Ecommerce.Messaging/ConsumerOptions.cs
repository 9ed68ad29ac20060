using System.ComponentModel.DataAnnotations;

namespace Ecommerce.Messaging;

/// <summary>The <c>Consumers</c> section, validated at start-up (<see cref="MessagingRegistration.AddEventConsumer{TConsumer}"/>).</summary>
public sealed class ConsumerOptions
{
    /// <summary>How soon the consumer looks again after a pass that found entries, or while its own failed entries await a retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between looks while the stream is quiet (the relay's pub/sub notice wakes it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An entry this consumer failed is retried after this, doubled for each delivery, at most <see cref="ReclaimAfter"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Entries another consumer took and left idle this long (it died) are taken over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries before an entry is parked; failures caused by a store or service outage never count.</summary>
    [Range(1, 1000)]
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>How often the group's lag and pending count are read for the <c>ecommerce.consumer.*</c> gauges.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LagRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);
}
