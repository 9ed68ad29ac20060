using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Ordering.Api.Inventory;

namespace Ordering.Tests;

/// <summary>
/// Migration HeldReservations on rows written by the code before it: a paid order's reservation carried an expiry a
/// hundred years ahead (meaning "held"); after the migration it is held with no expiry, and an unpaid one keeps its own.
/// </summary>
public sealed class HeldReservationMigrationTests(TestInfrastructure infrastructure)
{
    [Fact]
    public async Task The_hundred_year_sentinel_becomes_a_held_reservation_and_real_expiries_stay()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = new OrderingDb(new DbContextOptionsBuilder<OrderingDb>()
            .UseNpgsql(await infrastructure.CreateDatabaseAsync("ordering")).Options);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("20261122165007_Initial", cancellationToken: ct);

        var now = DateTimeOffset.UtcNow;
        var (paid, unpaid, shipped) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var unpaidExpiry = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddMinutes(15);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO reservations (id, order_id, sku, warehouse, quantity, expires_at, status) VALUES
              ({Guid.CreateVersion7()}, {paid}, 'MUG', 'main', 2, {now.AddYears(100)}, 'Active'),
              ({Guid.CreateVersion7()}, {unpaid}, 'MUG', 'main', 1, {unpaidExpiry}, 'Active'),
              ({Guid.CreateVersion7()}, {shipped}, 'MUG', 'main', 1, {now.AddDays(-3).AddYears(100)}, 'Fulfilled')
            """, ct);

        await migrator.MigrateAsync(cancellationToken: ct);

        var rows = await db.Reservations.AsNoTracking().ToDictionaryAsync(r => r.OrderId, ct);
        Assert.True(rows[paid].IsHeld);
        Assert.Null(rows[paid].ExpiresAt);
        Assert.False(rows[unpaid].IsHeld);
        Assert.Equal(unpaidExpiry, rows[unpaid].ExpiresAt);
        Assert.Null(rows[shipped].ExpiresAt);
        Assert.Equal(ReservationStatus.Fulfilled, rows[shipped].Status);
    }
}
