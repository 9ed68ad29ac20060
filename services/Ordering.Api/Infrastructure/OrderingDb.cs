using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Ordering.Api.Inventory;
using Ordering.Api.Orders;

namespace Ordering.Api.Infrastructure;

public sealed class OrderingDb(DbContextOptions<OrderingDb> options) : DbContext(options)
{
    public DbSet<StockLevel> Stock => Set<StockLevel>();
    public DbSet<Reservation> Reservations => Set<Reservation>();
    public DbSet<StoredEvent> Events => Set<StoredEvent>();
    public DbSet<OrderSummary> OrderSummaries => Set<OrderSummary>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<ProjectionCheckpoint> Checkpoints => Set<ProjectionCheckpoint>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StockLevel>(e =>
        {
            e.ToTable("stock", t =>
            {
                // The database itself refuses an oversell, whatever the code above it does.
                t.HasCheckConstraint("ck_stock_on_hand", "on_hand >= 0");
                t.HasCheckConstraint("ck_stock_reserved", "reserved >= 0 AND reserved <= on_hand");
            });
            e.HasKey(s => new { s.Sku, s.Warehouse });
            e.Property(s => s.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(s => s.Warehouse).HasColumnName("warehouse").HasMaxLength(64);
            e.Property(s => s.OnHand).HasColumnName("on_hand");
            e.Property(s => s.Reserved).HasColumnName("reserved");
            e.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        });

        modelBuilder.Entity<Reservation>(e =>
        {
            e.ToTable("reservations", t => t.HasCheckConstraint("ck_reservations_quantity", "quantity > 0"));
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).HasColumnName("id");
            e.Property(r => r.OrderId).HasColumnName("order_id");
            e.Property(r => r.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(r => r.Warehouse).HasColumnName("warehouse").HasMaxLength(64);
            e.Property(r => r.Quantity).HasColumnName("quantity");
            e.Property(r => r.ExpiresAt).HasColumnName("expires_at");
            e.Property(r => r.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            e.HasIndex(r => r.OrderId);
            e.HasIndex(r => new { r.Status, r.ExpiresAt });
        });

        modelBuilder.Entity<StoredEvent>(e =>
        {
            e.ToTable("order_events");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).HasColumnName("position").UseIdentityAlwaysColumn();
            e.Property(x => x.StreamId).HasColumnName("stream_id");
            e.Property(x => x.Version).HasColumnName("version");
            e.Property(x => x.Type).HasColumnName("type").HasMaxLength(64);
            e.Property(x => x.Data).HasColumnName("data").HasColumnType("jsonb");
            e.Property(x => x.Metadata).HasColumnName("metadata").HasColumnType("jsonb");
            e.Property(x => x.OccurredAt).HasColumnName("occurred_at");
            // The transaction that wrote the event: the projector reads only what every earlier transaction has settled.
            e.Property<ulong>("TransactionId").HasColumnName("transaction_id").HasColumnType("xid8")
                .HasDefaultValueSql("pg_current_xact_id()").ValueGeneratedOnAdd();
            // Optimistic concurrency: two writers cannot both append version n to one order.
            e.HasIndex(x => new { x.StreamId, x.Version }).IsUnique();
        });

        modelBuilder.Entity<OrderSummary>(e =>
        {
            e.ToTable("order_summaries");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.OrderId).HasColumnName("order_id");
            e.Property(x => x.CustomerId).HasColumnName("customer_id");
            e.Property(x => x.Status).HasColumnName("status").HasMaxLength(16);
            e.Property(x => x.Total).HasColumnName("total").HasPrecision(18, 2);
            e.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
            e.Property(x => x.LineCount).HasColumnName("line_count");
            e.Property(x => x.PlacedAt).HasColumnName("placed_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.Version).HasColumnName("version");
            e.HasIndex(x => new { x.CustomerId, x.PlacedAt, x.OrderId });
        });

        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(x => new { x.CustomerId, x.Key });
            e.Property(x => x.CustomerId).HasColumnName("customer_id");
            e.Property(x => x.Key).HasColumnName("key").HasMaxLength(128);
            e.Property(x => x.RequestHash).HasColumnName("request_hash").HasMaxLength(64);
            e.Property(x => x.OrderId).HasColumnName("order_id");
            e.Property(x => x.ResponseBody).HasColumnName("response_body").HasColumnType("jsonb");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
        });

        modelBuilder.AddOutbox();
        modelBuilder.Entity<ProjectionCheckpoint>(e =>
        {
            e.ToTable("projection_checkpoints");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
            e.Property(x => x.Position).HasColumnName("position");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        });
    }
}

public sealed class ProjectionCheckpoint
{
    public required string Name { get; set; }
    public long Position { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
