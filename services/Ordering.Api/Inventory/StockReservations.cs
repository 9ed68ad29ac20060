using Microsoft.EntityFrameworkCore;
using Ordering.Api.Infrastructure;

namespace Ordering.Api.Inventory;

public sealed record StockRequest(string Sku, int Quantity);

public sealed record Allocation(string Sku, string Warehouse, int Quantity);

/// <summary>
/// What a stock effect did: the lines it could not reserve (then it changed nothing), and the skus whose availability
/// it changed (each gets a StockChanged event) — with that availability when the effect knows it from the rows it
/// locked, so the event needs no query while the locks are held.
/// </summary>
public sealed record StockOutcome(IReadOnlyList<ShortLine> ShortLines, IReadOnlyList<string> AvailabilityChanged,
    IReadOnlyDictionary<string, int>? AvailableAfter = null)
{
    public static readonly StockOutcome Unchanged = new([], []);

    public bool Refused => ShortLines.Count > 0;
}

/// <summary>
/// Reserves stock inside the caller's transaction, all lines or none. Rows are locked with one
/// <c>SELECT … ORDER BY sku, warehouse FOR UPDATE</c>, so every transaction takes its locks in the same
/// order and two checkouts can never deadlock; the CHECK constraints make an oversell impossible even
/// if this code were wrong.
/// </summary>
public static class StockReservations
{
    /// <summary>Checkout: reserves every line of the order until <paramref name="expiresAt"/>, or none of them.</summary>
    public static async Task<StockOutcome> ReserveAsync(OrderingDb db, Guid orderId, IReadOnlyList<StockRequest> lines, DateTimeOffset expiresAt,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (allocations, shortLines, availableAfter) = await TryReserveAsync(db, lines, now, cancellationToken);
        if (allocations is null)
        {
            return new StockOutcome(shortLines, []);
        }

        db.Reservations.AddRange(allocations.Select(a => new Reservation
        {
            Id = Guid.CreateVersion7(), OrderId = orderId, Sku = a.Sku, Warehouse = a.Warehouse,
            Quantity = a.Quantity, ExpiresAt = expiresAt, Status = ReservationStatus.Active,
        }));
        return new StockOutcome([], lines.Select(l => l.Sku).Distinct().ToList(), availableAfter);
    }

    /// <returns>
    /// The allocations and each sku's availability after them (exact: every row of those skus is locked), or the lines
    /// that are short (then nothing was changed).
    /// </returns>
    private static async Task<(List<Allocation>? Allocations, List<ShortLine> Short, Dictionary<string, int> AvailableAfter)> TryReserveAsync(
        OrderingDb db, IReadOnlyList<StockRequest> lines, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var skus = lines.Select(l => l.Sku).Order(StringComparer.Ordinal).ToArray();
        var rows = await db.Stock
            .FromSql($"SELECT * FROM stock WHERE sku = ANY({skus}) ORDER BY sku, warehouse FOR UPDATE")
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var allocations = new List<Allocation>();
        var shortLines = new List<ShortLine>();
        foreach (var line in lines)
        {
            // Take from the warehouses with the most available first: fewer splits per order.
            var candidates = rows.Where(r => r.Sku == line.Sku && r.OnHand - r.Reserved > 0)
                .OrderByDescending(r => r.OnHand - r.Reserved).ThenBy(r => r.Warehouse, StringComparer.Ordinal).ToList();
            var available = candidates.Sum(r => r.OnHand - r.Reserved);
            if (available < line.Quantity)
            {
                shortLines.Add(new ShortLine(line.Sku, line.Quantity, available));
                continue;
            }

            var remaining = line.Quantity;
            foreach (var row in candidates)
            {
                var take = Math.Min(remaining, row.OnHand - row.Reserved);
                allocations.Add(new Allocation(line.Sku, row.Warehouse, take));
                remaining -= take;
                if (remaining == 0)
                {
                    break;
                }
            }
        }

        if (shortLines.Count > 0)
        {
            return (null, shortLines, []);
        }

        foreach (var a in allocations)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE stock SET reserved = reserved + {a.Quantity}, updated_at = {now} WHERE sku = {a.Sku} AND warehouse = {a.Warehouse}",
                cancellationToken);
        }

        var availableAfter = rows.GroupBy(r => r.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.Sum(r => r.OnHand - r.Reserved) - allocations.Where(a => a.Sku == g.Key).Sum(a => a.Quantity), StringComparer.Ordinal);
        return (allocations, shortLines, availableAfter);
    }

    /// <summary>
    /// Payment: the order's units are held until shipped or cancelled, with no deadline. Nothing moves in stock
    /// (they were reserved already); the expiry job stops seeing them.
    /// </summary>
    public static async Task<StockOutcome> HoldAsync(OrderingDb db, Guid orderId, CancellationToken cancellationToken)
    {
        await db.Reservations.Where(r => r.OrderId == orderId && r.Status == ReservationStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, (DateTimeOffset?)null), cancellationToken);
        return StockOutcome.Unchanged;
    }

    /// <summary>Gives back what an order still holds (cancel, expiry), held or not. Returns the skus whose availability changed.</summary>
    public static async Task<StockOutcome> ReleaseAsync(OrderingDb db, Guid orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var held = await db.Reservations.Where(r => r.OrderId == orderId && r.Status == ReservationStatus.Active)
            .OrderBy(r => r.Sku).ThenBy(r => r.Warehouse).ToListAsync(cancellationToken);
        foreach (var r in held)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE stock SET reserved = reserved - {r.Quantity}, updated_at = {now} WHERE sku = {r.Sku} AND warehouse = {r.Warehouse}",
                cancellationToken);
            r.Status = ReservationStatus.Released;
        }

        return new StockOutcome([], held.Select(r => r.Sku).Distinct().ToList());
    }

    /// <summary>Shipping: the held units leave the warehouse (on hand and reserved both go down, so availability does not change).</summary>
    public static async Task<StockOutcome> FulfilAsync(OrderingDb db, Guid orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var held = await db.Reservations.Where(r => r.OrderId == orderId && r.Status == ReservationStatus.Active)
            .OrderBy(r => r.Sku).ThenBy(r => r.Warehouse).ToListAsync(cancellationToken);
        foreach (var r in held)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE stock SET on_hand = on_hand - {r.Quantity}, reserved = reserved - {r.Quantity}, updated_at = {now} WHERE sku = {r.Sku} AND warehouse = {r.Warehouse}",
                cancellationToken);
            r.Status = ReservationStatus.Fulfilled;
        }

        return StockOutcome.Unchanged;
    }
}
