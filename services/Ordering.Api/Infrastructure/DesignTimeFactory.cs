using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Ordering.Api.Infrastructure;

/// <summary>For <c>dotnet ef migrations add</c> only: it needs the model, not a server or the app's settings.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OrderingDb>
{
    public OrderingDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OrderingDb>().UseNpgsql("Host=localhost;Database=orderingdb").Options);
}
