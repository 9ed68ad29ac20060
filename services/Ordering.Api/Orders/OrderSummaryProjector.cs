using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Orders;

/// <summary>
/// Projects order events into <c>order_summaries</c> (the list view). It reads only events whose
/// transaction is older than every transaction still running (<c>pg_snapshot_xmin</c>), in transaction order,
/// and remembers the last transaction it projected: every transaction still running (or not yet begun) has a
/// higher id, so an event that commits late is never skipped. (Position order was not enough: a transaction can
/// take its id before another and insert its event after it; the fault suite found an OrderPaid skipped that way.)
/// One projector at a time holds an advisory lock; other instances wait for their turn, so running several
/// replicas is safe. Re-projecting an event is harmless (versions guard every update).
/// Each commit of an order event wakes it (<see cref="Notify"/>); with nothing to project it looks again after a wait
/// that grows from <c>ProjectionInterval</c> to <c>ProjectionIdleInterval</c> (<see cref="WorkSignal"/>) — the look
/// also catches events another replica committed, and ones held back behind a transaction still running.
/// </summary>
public sealed partial class OrderSummaryProjector(IServiceScopeFactory scopes, OrderingOptions options, ILogger<OrderSummaryProjector> logger)
    : BackgroundService
{
    public const string Name = "order-summaries";

    /// <summary>The checkpoint that drives reading: the last projected transaction id (<see cref="Name"/> keeps the highest position, for the lag).</summary>
    public const string TransactionCheckpoint = "order-summaries-xid";
    private const long LockKey = 0x4F52_4445_5253; // "ORDERS"
    private const int Batch = 500;
    private readonly WorkSignal _signal = new(options.ProjectionInterval, options.ProjectionIdleInterval);

    /// <summary>An order event was committed: project it now rather than at the next look.</summary>
    public void Notify() => _signal.Notify();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var projected = 0;
            try
            {
                projected = await ProjectOnceAsync(stoppingToken);
                if (projected == Batch)
                {
                    continue; // more waiting: no pause
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogProjectionFailed(logger, ex); // retried: a projector that ends would stop ordering-api's host
            }

            await _signal.WaitAsync(foundWork: projected > 0, stoppingToken);
        }
    }

    /// <returns>How many events were projected.</returns>
    public async Task<int> ProjectOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderingDb>();
        return (await db.InTransactionAsync(() => ProjectBatchAsync(db, ct), ct)).Value;
    }

    /// <summary>One batch in one transaction (<see cref="OrderingDbTransactions.InTransactionAsync{T}"/>): rolled back when another replica holds the lock or nothing is due.</summary>
    private static async Task<Transacted<int>> ProjectBatchAsync(OrderingDb db, CancellationToken ct)
    {
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct);
        if (!locked)
        {
            return Transacted.RollBack(0);
        }

        var checkpoint = await db.Checkpoints.SingleOrDefaultAsync(c => c.Name == Name, ct);
        var xidCheckpoint = await db.Checkpoints.SingleOrDefaultAsync(c => c.Name == TransactionCheckpoint, ct);
        var fromXid = xidCheckpoint?.Position ?? 0;
        var read = await db.Events.FromSql($"""
            SELECT * FROM order_events
            WHERE transaction_id > {fromXid}::text::xid8 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY transaction_id, position LIMIT {Batch}
            """).ToListAsync(ct);
        var xids = read.Select(e => (long)db.Entry(e).Property<ulong>("TransactionId").CurrentValue).ToList();
        // A full batch may end inside a transaction: leave that transaction whole for the next batch.
        var take = read.Count == Batch && xids[0] != xids[^1] ? xids.FindIndex(x => x == xids[^1]) : read.Count;
        var events = read.Take(take).ToList();
        if (events.Count == 0)
        {
            return Transacted.RollBack(0);
        }

        var ids = events.Select(e => e.StreamId).Distinct().ToList();
        var summaries = await db.OrderSummaries.Where(s => ids.Contains(s.OrderId)).ToDictionaryAsync(s => s.OrderId, ct);
        foreach (var stored in events)
        {
            var e = EventStore.Deserialize(stored.Data);
            if (e is OrderPlaced placed)
            {
                if (!summaries.ContainsKey(stored.StreamId))
                {
                    var summary = new OrderSummary
                    {
                        OrderId = stored.StreamId, CustomerId = placed.CustomerId, Status = nameof(OrderStatus.Placed),
                        Total = placed.Total, Currency = placed.Currency, LineCount = placed.Lines.Count,
                        PlacedAt = stored.OccurredAt, UpdatedAt = stored.OccurredAt, Version = stored.Version,
                    };
                    summaries[stored.StreamId] = summary;
                    db.OrderSummaries.Add(summary);
                }
            }
            else if (summaries.TryGetValue(stored.StreamId, out var summary) && stored.Version > summary.Version)
            {
                summary.Status = e switch
                {
                    OrderPaid => nameof(OrderStatus.Paid),
                    OrderShipped => nameof(OrderStatus.Shipped),
                    OrderDelivered => nameof(OrderStatus.Delivered),
                    OrderCancelled => nameof(OrderStatus.Cancelled),
                    _ => summary.Status,
                };
                summary.UpdatedAt = stored.OccurredAt;
                summary.Version = stored.Version;
            }
        }

        var highest = events.Max(e => e.Position);
        if (checkpoint is null)
        {
            db.Checkpoints.Add(new ProjectionCheckpoint { Name = Name, Position = highest, UpdatedAt = DateTimeOffset.UtcNow });
        }
        else
        {
            checkpoint.Position = Math.Max(checkpoint.Position, highest);
            checkpoint.UpdatedAt = DateTimeOffset.UtcNow;
        }

        if (xidCheckpoint is null)
        {
            db.Checkpoints.Add(new ProjectionCheckpoint { Name = TransactionCheckpoint, Position = xids[take - 1], UpdatedAt = DateTimeOffset.UtcNow });
        }
        else
        {
            xidCheckpoint.Position = xids[take - 1];
            xidCheckpoint.UpdatedAt = DateTimeOffset.UtcNow;
        }

        await db.SaveChangesAsync(ct);
        return Transacted.Commit(events.Count);
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Projecting order events failed; retrying")]
    private static partial void LogProjectionFailed(ILogger logger, Exception exception);
}

public sealed record ProjectionStatus(string Name, long Checkpoint, long Head, long Behind);
