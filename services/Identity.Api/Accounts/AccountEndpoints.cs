using System.Security.Claims;
using Ecommerce.Http.Input;
using Ecommerce.Http.Problems;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ecommerce.Authentication;
using Identity.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Accounts;

public static partial class AccountEndpoints
{

    public static void MapAccounts(this IEndpointRouteBuilder app)
    {
        var identity = app.MapGroup("/api/identity").WithTags("Identity");
        identity.MapPost("/register", Register);
        // Problem answers are typed as ProblemHttpResult; their statuses are declared here for the OpenAPI document.
        identity.MapPost("/token", SignIn).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        identity.MapPost("/refresh", Refresh).ProducesProblem(StatusCodes.Status401Unauthorized);
        identity.MapPost("/logout", Logout).ProducesProblem(StatusCodes.Status401Unauthorized);
        identity.MapGet("/me", GetMe).RequireAuthorization(Policies.SignedIn);
        identity.MapPut("/me", UpdateMe).RequireAuthorization(Policies.SignedIn);
    }

    private static async Task<Results<Created<ProfileResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, IdentityDb db, IPasswordHasher<User> hasher, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (AccountRules.EmailError(request.Email) is { } e) errors["email"] = [e];
        if (AccountRules.PasswordError(request.Password, request.Email) is { } p) errors["password"] = [p];
        if (AccountRules.NameError(request.Name) is { } n) errors["name"] = [n];
        if (errors.Count > 0) return ValidationProblems.For(errors);

        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = request.Email!, NormalizedEmail = Normalize(request.Email!), Name = request.Name!.Trim(),
            PasswordHash = "", Role = Roles.Customer, CreatedAt = time.GetUtcNow(),
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return Problem.Of(ProblemTypes.EmailTaken, "An account with this email already exists.");
        }

        return TypedResults.Created("/api/identity/me", ToProfile(user));
    }

    /// <summary>
    /// Unknown email and wrong password get the same answer, after the same hashing work. An email with too many
    /// failures is refused (429) before any password check, whether or not it has an account.
    /// </summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> SignIn(TokenRequest request, IdentityDb db,
        IPasswordHasher<User> hasher, TokenIssuer tokens, SignInThrottle throttle, IdentityOptions options, TimeProvider time,
        HttpContext http, ILogger<IdentityDb> logger, CancellationToken ct)
    {
        var normalized = request.Email is { Length: <= 254 } email ? Normalize(email) : null;
        if (normalized is not null && await throttle.RefusedForAsync(normalized) is { } wait)
        {
            LogThrottledSignIn(logger);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem.Of(ProblemTypes.RateLimited, $"Too many failed sign-ins for this account; retry after {seconds} s.");
        }

        var user = normalized is not null ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, ct) : null;
        var verified = hasher.VerifyHashedPassword(user ?? DecoyUser, user?.PasswordHash ?? DecoyUser.PasswordHash, request.Password ?? "");
        if (user is null || verified == PasswordVerificationResult.Failed)
        {
            LogFailedSignIn(logger);
            if (normalized is not null) await throttle.RecordFailureAsync(normalized);
            return InvalidCredentials();
        }

        await throttle.ClearAsync(normalized!);
        return TypedResults.Ok(await IssueAsync(db, tokens, options, time, user, Guid.CreateVersion7(), ct));
    }

    /// <summary>Rotates the refresh token. Presenting one that was already rotated revokes its whole family.</summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Refresh(RefreshRequest request, IdentityDb db, TokenIssuer tokens,
        SignedOutSessions sessions, IdentityOptions options, TimeProvider time, ILogger<IdentityDb> logger, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.RefreshToken) || request.RefreshToken.Length > 100) return InvalidRefresh();
        var hash = Hash(request.RefreshToken);
        var now = time.GetUtcNow();
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Hash == hash, ct);
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now) return InvalidRefresh();

        // Mark used only if nobody did first: a second use of the same token is a replay.
        var claimed = await db.RefreshTokens.Where(t => t.Hash == hash && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        if (claimed == 0)
        {
            await db.RefreshTokens.Where(t => t.FamilyId == token.FamilyId && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
            await sessions.SignOutAsync(token.FamilyId);
            LogReuseDetected(logger, token.UserId);
            return InvalidRefresh();
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == token.UserId, ct);
        return user is null ? InvalidRefresh() : TypedResults.Ok(await IssueAsync(db, tokens, options, time, user, token.FamilyId, ct));
    }

    /// <summary>Signs out the session the refresh token belongs to. Unknown tokens change nothing (still 204).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Logout(RefreshRequest request, IdentityDb db, SignedOutSessions sessions,
        TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.RefreshToken) || request.RefreshToken.Length > 100) return InvalidRefresh();
        var hash = Hash(request.RefreshToken);
        var family = await db.RefreshTokens.Where(t => t.Hash == hash).Select(t => (Guid?)t.FamilyId).SingleOrDefaultAsync(ct);
        if (family is { } f)
        {
            var now = time.GetUtcNow();
            await db.RefreshTokens.Where(t => t.FamilyId == f && t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
            await sessions.SignOutAsync(f); // the session's access tokens end now, not at expiry
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> GetMe(ClaimsPrincipal principal, IdentityDb db, CancellationToken ct)
    {
        var id = principal.GetUserId();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? NotFound() : TypedResults.Ok(ToProfile(user));
    }

    private static async Task<Results<Ok<ProfileResponse>, ValidationProblem, ProblemHttpResult>> UpdateMe(
        UpdateProfileRequest request, ClaimsPrincipal principal, IdentityDb db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (AccountRules.NameError(request.Name) is { } n) errors["name"] = [n];
        if (AccountRules.AddressesError(request.Addresses) is { } a) errors["addresses"] = [a];
        if (errors.Count > 0) return ValidationProblems.For(errors);

        var id = principal.GetUserId();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return NotFound();
        user.Name = request.Name!.Trim();
        user.Addresses = JsonSerializer.Serialize(request.Addresses ?? [], IdentityJson.Default.ListAddress);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToProfile(user));
    }

    private static async Task<TokenResponse> IssueAsync(IdentityDb db, TokenIssuer tokens, IdentityOptions options, TimeProvider time,
        User user, Guid family, CancellationToken ct)
    {
        var refresh = Base64UrlToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            Hash = Hash(refresh), UserId = user.Id, FamilyId = family, ExpiresAt = time.GetUtcNow() + options.RefreshTokenLifetime,
        });
        await db.SaveChangesAsync(ct);
        return new TokenResponse(tokens.CreateAccessToken(user.Id, user.Email, user.Role, session: family), (int)tokens.Lifetime.TotalSeconds, refresh);
    }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();

    private static string Base64UrlToken() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static ProfileResponse ToProfile(User u) =>
        new(u.Id, u.Email, u.Name, u.Role, JsonSerializer.Deserialize(u.Addresses, IdentityJson.Default.ListAddress) ?? []);

    private static readonly User DecoyUser = CreateDecoy();

    private static User CreateDecoy()
    {
        var decoy = new User { Email = "", NormalizedEmail = "", Name = "", PasswordHash = "", Role = "" };
        decoy.PasswordHash = new PasswordHasher<User>().HashPassword(decoy, Guid.NewGuid().ToString());
        return decoy;
    }

    private static ProblemHttpResult InvalidCredentials() =>
        Problem.Of(ProblemTypes.InvalidCredentials, "Invalid email or password.");

    private static ProblemHttpResult InvalidRefresh() =>
        Problem.Of(ProblemTypes.InvalidRefreshToken, "The refresh token is invalid, expired, revoked or already used.");

    private static ProblemHttpResult NotFound() =>
        Problem.Of(ProblemTypes.NotFound, "The account no longer exists.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Failed sign-in attempt")]
    private static partial void LogFailedSignIn(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in refused: too many failed attempts for one account")]
    private static partial void LogThrottledSignIn(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token reuse for user {UserId}: the token family is revoked")]
    private static partial void LogReuseDetected(ILogger logger, Guid userId);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<Address>))]
public sealed partial class IdentityJson : System.Text.Json.Serialization.JsonSerializerContext;
