using Microsoft.EntityFrameworkCore;

namespace Ordering.Api.Infrastructure;

/// <summary>What work done in a transaction answers, and whether the transaction commits.</summary>
public readonly record struct Transacted<T>(T Value, bool Commit);

public static class Transacted
{
    public static Transacted<T> Commit<T>(T value) => new(value, true);

    /// <summary>Nothing the work wrote is kept (a refusal found after something was written, e.g. short stock).</summary>
    public static Transacted<T> RollBack<T>(T value) => new(value, false);
}

public static class OrderingDbTransactions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one database transaction under the execution strategy. After a transient failure
    /// the strategy runs the whole work again, in a new transaction and from an empty change tracker, so the work must
    /// build everything it writes inside itself.
    /// </summary>
    public static Task<Transacted<T>> InTransactionAsync<T>(this OrderingDb db, Func<Task<Transacted<T>>> work, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await work();
            if (result.Commit)
            {
                await tx.CommitAsync(ct);
            }
            else
            {
                await tx.RollbackAsync(ct);
            }

            return result;
        });
}
