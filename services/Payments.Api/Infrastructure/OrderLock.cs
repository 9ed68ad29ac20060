using Microsoft.EntityFrameworkCore;

namespace Payments.Api.Infrastructure;

public static class OrderLock
{
    /// <summary>
    /// Serialises every change about one order (a new attempt, a settled charge, a cancellation heard) inside the
    /// current transaction, so "charged" and "cancelled" can never both be decided without seeing each other.
    /// </summary>
    public static Task LockOrderAsync(this PaymentsDb db, Guid orderId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({orderId.ToString()}, 0))", ct);

    /// <summary>Runs <paramref name="work"/> in one transaction under the execution strategy (retried whole on a transient failure).</summary>
    public static Task<T> InTransactionAsync<T>(this PaymentsDb db, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await work(ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return result;
        });
}

public static class StoredTime
{
    /// <summary>Now, at the precision PostgreSQL stores (microseconds), so a replayed answer is byte for byte the first one.</summary>
    public static DateTimeOffset StoredNow(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
