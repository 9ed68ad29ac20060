using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>Appends to and reads from an order's stream in the events table.</summary>
public sealed class EventStore(OrderingDb db, TimeProvider time)
{
    /// <summary>
    /// Adds the events after <paramref name="expectedVersion"/>; the caller's SaveChanges commits them. If another
    /// writer appended first, the unique (stream, version) index rejects the save (<see cref="IsConcurrencyConflict"/>).
    /// </summary>
    public void Append(Guid streamId, int expectedVersion, EventMetadata metadata, params OrderEvent[] events)
    {
        var now = time.GetUtcNow();
        var version = expectedVersion;
        foreach (var e in events)
        {
            db.Events.Add(new StoredEvent
            {
                StreamId = streamId,
                Version = ++version,
                Type = e.GetType().Name,
                Data = JsonSerializer.Serialize(e, OrderEventJson.Default.OrderEvent),
                Metadata = JsonSerializer.Serialize(metadata, OrderEventJson.Default.EventMetadata),
                OccurredAt = now,
            });
        }
    }

    public async Task<Order?> LoadAsync(Guid streamId, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var query = db.Events.AsNoTracking().Where(e => e.StreamId == streamId);
        if (asOf is { } at)
        {
            query = query.Where(e => e.OccurredAt <= at);
        }

        var rows = await query.OrderBy(e => e.Version).ToListAsync(cancellationToken);
        return Order.Replay(streamId, rows.Select(r => (Deserialize(r.Data), r.OccurredAt)));
    }

    public async Task<List<StoredEvent>> HistoryAsync(Guid streamId, CancellationToken cancellationToken) =>
        await db.Events.AsNoTracking().Where(e => e.StreamId == streamId).OrderBy(e => e.Version).ToListAsync(cancellationToken);

    public static OrderEvent Deserialize(string data) =>
        JsonSerializer.Deserialize(data, OrderEventJson.Default.OrderEvent)
        ?? throw new InvalidOperationException("An event row holds null.");

    public static bool IsConcurrencyConflict(DbUpdateException ex) =>
        ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, ConstraintName: "IX_order_events_stream_id_version" };
}
