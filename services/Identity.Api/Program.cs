using Ecommerce.Http.Outages;
using Ecommerce.ServiceDefaults.Resilience;
using Ecommerce.Authentication;
using Identity.Api.Accounts;
using Identity.Api.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHttpEdge();
builder.AddDefaultAuthentication();
builder.AddServiceDbContext<IdentityDb>("identitydb");
builder.AddRedisClient("redis"); // failed sign-ins per account and signed-out sessions, shared by every replica
builder.Services.AddSingleton(builder.Configuration.GetSection("Identity").Get<Identity.Api.Accounts.IdentityOptions>() ?? new());
builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
builder.Services.AddSingleton<SignInThrottle>();
builder.Services.AddSingleton<SignedOutSessions>();
builder.Services.AddOpenApi();

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.ApplyMigrationsAsync();
}

await AdminSeeder.SeedAsync(app.Services, CancellationToken.None);

app.UseHttpEdge();
app.MapOpenApi();
app.MapAccounts();

await app.RunAsync();

public partial class Program;
