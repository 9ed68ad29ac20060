using Catalog.Api.Products;
using Ecommerce.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Catalog.Api.Infrastructure;

public sealed class CatalogDb(DbContextOptions<CatalogDb> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(e =>
        {
            e.ToTable("products", t =>
            {
                t.HasCheckConstraint("ck_products_price", "price >= 0");
                t.HasCheckConstraint("ck_products_status", "status IN ('draft', 'active', 'archived')");
            });
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).HasColumnName("id");
            e.Property(p => p.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(p => p.Name).HasColumnName("name").HasMaxLength(200);
            e.Property(p => p.Description).HasColumnName("description").HasMaxLength(4000);
            e.Property(p => p.Brand).HasColumnName("brand").HasMaxLength(100);
            e.Property(p => p.Category).HasColumnName("category").HasMaxLength(100);
            // Case-insensitive filters on an index (FacetKeys): the database derives the key, so no write path can miss it.
            e.Property(p => p.BrandKey).HasColumnName("brand_key").HasMaxLength(100).HasComputedColumnSql("lower(brand)", stored: true);
            e.Property(p => p.CategoryKey).HasColumnName("category_key").HasMaxLength(100).HasComputedColumnSql("lower(category)", stored: true);
            e.Property(p => p.Price).HasColumnName("price").HasPrecision(18, 2);
            e.Property(p => p.Currency).HasColumnName("currency").HasMaxLength(3);
            e.Property(p => p.Attributes).HasColumnName("attributes").HasColumnType("jsonb");
            e.Property(p => p.Variants).HasColumnName("variants").HasColumnType("jsonb");
            e.Property(p => p.VariantSkus).HasColumnName("variant_skus");
            e.Property(p => p.Images).HasColumnName("images");
            e.Property(p => p.Status).HasColumnName("status").HasMaxLength(16);
            e.Property(p => p.Version).HasColumnName("version").IsConcurrencyToken();
            e.Property(p => p.CreatedAt).HasColumnName("created_at");
            e.Property(p => p.UpdatedAt).HasColumnName("updated_at");

            e.HasIndex(p => p.Sku).IsUnique();
            e.HasIndex(p => p.VariantSkus).HasMethod("gin");
            e.HasIndex(p => p.Attributes).HasMethod("gin").HasOperators("jsonb_path_ops");
            // Keyset paging: one index per sort, led by status (browse shows active products).
            e.HasIndex(p => new { p.Status, p.Name, p.Id });
            e.HasIndex(p => new { p.Status, p.Price, p.Id });
            e.HasIndex(p => new { p.Status, p.CreatedAt, p.Id });
            e.HasIndex(p => new { p.Status, p.CategoryKey, p.Price, p.Id });
            e.HasIndex(p => new { p.Status, p.CategoryKey, p.Name, p.Id });
            e.HasIndex(p => new { p.Status, p.BrandKey });
            // The facet counts group by the values as typed.
            e.HasIndex(p => new { p.Status, p.Brand });
            e.HasIndex(p => new { p.Status, p.Category });
        });
        modelBuilder.AddOutbox();
    }
}

/// <summary>For <c>dotnet ef migrations add</c> only.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CatalogDb>
{
    public CatalogDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CatalogDb>().UseNpgsql("Host=localhost;Database=catalogdb").Options);
}
