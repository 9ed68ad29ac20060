using Ecommerce.Authentication;
using Identity.Api.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Accounts;

/// <summary>Creates (or updates the password and role of) the admin account named in configuration.</summary>
public static class AdminSeeder
{
    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var admin = services.GetRequiredService<IdentityOptions>().Admin;
        if (string.IsNullOrEmpty(admin.Email) || string.IsNullOrEmpty(admin.Password))
        {
            return;
        }

        if ((AccountRules.EmailError(admin.Email) ?? AccountRules.PasswordError(admin.Password, admin.Email)) is { } problem)
        {
            throw new InvalidOperationException($"Identity:Admin:Email/Password do not meet the account rules ({problem}); fix them or unset them.");
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>();
        var normalized = AccountEndpoints.Normalize(admin.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
        if (user is null)
        {
            user = new User
            {
                Id = Guid.CreateVersion7(), Email = admin.Email, NormalizedEmail = normalized, Name = "Administrator", PasswordHash = "",
                Role = Roles.Admin, CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
            };
            db.Users.Add(user);
        }

        user.Role = Roles.Admin;
        user.PasswordHash = hasher.HashPassword(user, admin.Password);
        await db.SaveChangesAsync(ct);
    }
}
