using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Identity.Api.Infrastructure;

public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    /// <summary>Upper-cased invariant email: unique, so "Ada@x.io" and "ada@X.IO" are one account.</summary>
    public required string NormalizedEmail { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public string Addresses { get; set; } = "[]";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A refresh token, stored as its SHA-256 only. Tokens of one sign-in share a family.</summary>
public sealed class RefreshToken
{
    public required string Hash { get; set; }
    public Guid UserId { get; set; }
    public Guid FamilyId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class IdentityDb(DbContextOptions<IdentityDb> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Id);
            e.Property(u => u.Id).HasColumnName("id");
            e.Property(u => u.Email).HasColumnName("email").HasMaxLength(254);
            e.Property(u => u.NormalizedEmail).HasColumnName("normalized_email").HasMaxLength(254);
            e.Property(u => u.Name).HasColumnName("name").HasMaxLength(100);
            e.Property(u => u.PasswordHash).HasColumnName("password_hash");
            e.Property(u => u.Role).HasColumnName("role").HasMaxLength(16);
            e.Property(u => u.Addresses).HasColumnName("addresses").HasColumnType("jsonb");
            e.Property(u => u.CreatedAt).HasColumnName("created_at");
            e.HasIndex(u => u.NormalizedEmail).IsUnique();
        });
        modelBuilder.Entity<RefreshToken>(e =>
        {
            e.ToTable("refresh_tokens");
            e.HasKey(t => t.Hash);
            e.Property(t => t.Hash).HasColumnName("hash").HasMaxLength(64);
            e.Property(t => t.UserId).HasColumnName("user_id");
            e.Property(t => t.FamilyId).HasColumnName("family_id");
            e.Property(t => t.ExpiresAt).HasColumnName("expires_at");
            e.Property(t => t.UsedAt).HasColumnName("used_at");
            e.Property(t => t.RevokedAt).HasColumnName("revoked_at");
            e.HasIndex(t => t.FamilyId);
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c> only.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<IdentityDb>
{
    public IdentityDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<IdentityDb>().UseNpgsql("Host=localhost;Database=identitydb").Options);
}
