using System.ComponentModel.DataAnnotations;

namespace Ecommerce.Messaging;

/// <summary>The <c>Outbox</c> section, validated at start-up (<see cref="MessagingRegistration.AddOutboxRelay{TRelay}"/>).</summary>
public sealed class OutboxOptions
{
    /// <summary>How soon the relay looks again after a pass that relayed something, when no commit woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between looks while there is nothing to relay (commits in this process wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>False: rows are written but not relayed by this instance (another replica, or a later start, will).</summary>
    public bool RelayEnabled { get; set; } = true;
}
