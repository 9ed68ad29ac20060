using System.Text.Json;
using Ecommerce.Contracts.Events;
using Microsoft.EntityFrameworkCore;

namespace Ecommerce.Messaging;

/// <summary>An event waiting to be published, written in the same transaction as the change it describes.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Insertion order (an identity column): events of one transaction are relayed in the order they were added.</summary>
    public long Position { get; set; }

    public required string Stream { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>W3C <c>traceparent</c> of the activity the event was written under: the relay and every consumer continue that trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>W3C <c>tracestate</c> that went with <see cref="TraceParent"/>, when there was one.</summary>
    public string? TraceState { get; set; }
}

public static class OutboxModel
{
    public static void AddOutbox(this ModelBuilder modelBuilder) => modelBuilder.Entity<OutboxMessage>(e =>
    {
        e.ToTable("outbox");
        e.HasKey(m => m.Id);
        e.Property(m => m.Id).HasColumnName("id");
        e.Property(m => m.Position).HasColumnName("position").UseIdentityAlwaysColumn();
        e.Property(m => m.Stream).HasColumnName("stream").HasMaxLength(64);
        e.Property(m => m.Type).HasColumnName("type").HasMaxLength(64);
        e.Property(m => m.Payload).HasColumnName("payload").HasColumnType("jsonb");
        e.Property(m => m.OccurredAt).HasColumnName("occurred_at");
        e.Property(m => m.SentAt).HasColumnName("sent_at");
        e.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(55);
        e.Property(m => m.TraceState).HasColumnName("trace_state").HasMaxLength(512);
        // The relay only ever looks for unsent rows.
        e.HasIndex(m => m.Position).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_unsent_position");
    });

    /// <summary>Adds the event to the context; it is stored by the same SaveChanges (and transaction) as the change.</summary>
    public static OutboxMessage AddToOutbox(this DbContext db, string stream, IntegrationEvent e, DateTimeOffset now)
    {
        // EF Core orders the INSERTs of one SaveChanges by key, so ids must grow in the order events are
        // added (v7 ids of the same millisecond would not): each one is a millisecond after the previous.
        var message = Create(stream, e, now, added: db.Set<OutboxMessage>().Local.Count);
        db.Set<OutboxMessage>().Add(message);
        return message;
    }

    /// <summary>The message for an event, for stores other than EF Core (the catalog's MongoDB outbox).</summary>
    /// <remarks>The current trace context is stored with it, so the publish and every consumer's handling join that trace.</remarks>
    public static OutboxMessage Create(string stream, IntegrationEvent e, DateTimeOffset now, int added = 0)
    {
        var (traceParent, traceState) = MessagingTelemetry.CurrentContext();
        return new()
        {
            Id = Guid.CreateVersion7(now.AddMilliseconds(added)),
            Stream = stream,
            Type = e.GetType().Name,
            Payload = JsonSerializer.Serialize(e, IntegrationEventJson.Default.IntegrationEvent),
            OccurredAt = now,
            TraceParent = traceParent,
            TraceState = traceState,
        };
    }
}
