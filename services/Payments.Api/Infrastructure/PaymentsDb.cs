using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Payments;
using Payments.Api.Provider;

namespace Payments.Api.Infrastructure;

public sealed class PaymentsDb(DbContextOptions<PaymentsDb> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<OrderState> Orders => Set<OrderState>();
    public DbSet<LedgerCharge> LedgerCharges => Set<LedgerCharge>();
    public DbSet<LedgerRefund> LedgerRefunds => Set<LedgerRefund>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(e =>
        {
            e.ToTable("payments", t =>
            {
                t.HasCheckConstraint("ck_payments_amount", "amount > 0");
                t.HasCheckConstraint("ck_payments_currency", "currency ~ '^[A-Z]{3}$'");
                t.HasCheckConstraint("ck_payments_status", "status IN ('Pending', 'Succeeded', 'Failed', 'Refunded')");
            });
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).HasColumnName("id");
            e.Property(p => p.OrderId).HasColumnName("order_id");
            e.Property(p => p.CustomerId).HasColumnName("customer_id");
            e.Property(p => p.Amount).HasColumnName("amount").HasPrecision(18, 2);
            e.Property(p => p.Currency).HasColumnName("currency").HasMaxLength(3);
            e.Property(p => p.Method).HasColumnName("method").HasMaxLength(64);
            e.Property(p => p.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.AttemptKey).HasColumnName("attempt_key").HasMaxLength(160);
            e.Property(p => p.ProviderReference).HasColumnName("provider_reference").HasMaxLength(64);
            e.Property(p => p.FailureReason).HasColumnName("failure_reason").HasMaxLength(500);
            e.Property(p => p.CreatedAt).HasColumnName("created_at");
            e.Property(p => p.UpdatedAt).HasColumnName("updated_at");
            // A retried request (same key) finds its attempt instead of making a second one.
            e.HasIndex(p => new { p.OrderId, p.AttemptKey }).IsUnique();
            // The database's own guarantee of "charged at most once": one attempt in flight or charged per order, ever.
            e.HasIndex(p => p.OrderId).IsUnique().HasFilter("status IN ('Pending', 'Succeeded', 'Refunded')")
                .HasDatabaseName("ux_payments_one_live_charge_per_order");
            e.HasIndex(p => new { p.Status, p.UpdatedAt });
        });

        modelBuilder.Entity<Refund>(e =>
        {
            e.ToTable("refunds", t =>
            {
                t.HasCheckConstraint("ck_refunds_amount", "amount > 0");
                t.HasCheckConstraint("ck_refunds_status", "status IN ('Pending', 'Succeeded')");
            });
            e.HasKey(r => r.Id);
            e.Property(r => r.Id).HasColumnName("id");
            e.Property(r => r.PaymentId).HasColumnName("payment_id");
            e.Property(r => r.OrderId).HasColumnName("order_id");
            e.Property(r => r.Amount).HasColumnName("amount").HasPrecision(18, 2);
            e.Property(r => r.Currency).HasColumnName("currency").HasMaxLength(3);
            e.Property(r => r.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(500);
            e.Property(r => r.ProviderReference).HasColumnName("provider_reference").HasMaxLength(64);
            e.Property(r => r.CreatedAt).HasColumnName("created_at");
            e.Property(r => r.UpdatedAt).HasColumnName("updated_at");
            // Full refunds only: one per payment, so a refund asked for twice is one refund.
            e.HasIndex(r => r.PaymentId).IsUnique();
            e.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<AuditEntry>(e =>
        {
            // Append-only: the migration adds triggers that refuse UPDATE, DELETE and TRUNCATE on this table.
            e.ToTable("payment_audit");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(a => a.OrderId).HasColumnName("order_id");
            e.Property(a => a.PaymentId).HasColumnName("payment_id");
            e.Property(a => a.RefundId).HasColumnName("refund_id");
            e.Property(a => a.Subject).HasColumnName("subject").HasMaxLength(16);
            e.Property(a => a.OldStatus).HasColumnName("old_status").HasMaxLength(16);
            e.Property(a => a.NewStatus).HasColumnName("new_status").HasMaxLength(16);
            e.Property(a => a.Reason).HasColumnName("reason").HasMaxLength(500);
            e.Property(a => a.Actor).HasColumnName("actor").HasMaxLength(100);
            e.Property(a => a.RequestId).HasColumnName("request_id").HasMaxLength(64);
            e.Property(a => a.At).HasColumnName("at");
            e.HasIndex(a => new { a.OrderId, a.Id });
        });

        modelBuilder.Entity<OrderState>(e =>
        {
            e.ToTable("order_states");
            e.HasKey(o => o.OrderId);
            e.Property(o => o.OrderId).HasColumnName("order_id");
            e.Property(o => o.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            e.Property(o => o.UpdatedAt).HasColumnName("updated_at");
        });

        // The simulated provider's own books: a real provider keeps these on its side (docs/payments.md).
        modelBuilder.Entity<LedgerCharge>(e =>
        {
            e.ToTable("charges", "simulated_provider");
            e.HasKey(c => c.IdempotencyKey);
            e.Property(c => c.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(160);
            e.Property(c => c.Reference).HasColumnName("reference").HasMaxLength(64);
            e.Property(c => c.Amount).HasColumnName("amount").HasPrecision(18, 2);
            e.Property(c => c.Currency).HasColumnName("currency").HasMaxLength(3);
            e.Property(c => c.Method).HasColumnName("method").HasMaxLength(64);
            e.Property(c => c.CreatedAt).HasColumnName("created_at");
            e.HasIndex(c => c.Reference).IsUnique();
        });

        modelBuilder.Entity<LedgerRefund>(e =>
        {
            e.ToTable("refunds", "simulated_provider");
            e.HasKey(r => r.IdempotencyKey);
            e.Property(r => r.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(160);
            e.Property(r => r.ChargeReference).HasColumnName("charge_reference").HasMaxLength(64);
            e.Property(r => r.Reference).HasColumnName("reference").HasMaxLength(64);
            e.Property(r => r.Amount).HasColumnName("amount").HasPrecision(18, 2);
            e.Property(r => r.CreatedAt).HasColumnName("created_at");
            e.HasIndex(r => r.ChargeReference).IsUnique();
        });

        modelBuilder.AddOutbox();
    }
}
