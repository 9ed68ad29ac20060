using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace Ecommerce.Authentication;

/// <summary>
/// Signs a service's own calls (ordering → payments) with a short-lived <c>service</c> token minted from the shared
/// key, so an endpoint meant only for the platform refuses shoppers and admins alike. The token is reused until a
/// minute before it expires. It is read by another process, so it runs on the wall clock, never on the application's
/// <see cref="TimeProvider"/> (a test's fake clock would mint tokens the receiver finds expired).
/// </summary>
public sealed class ServiceTokenHandler(JwtOptions options, IHostEnvironment environment) : DelegatingHandler
{
    private readonly TokenIssuer _issuer = new(options, TimeProvider.System);
    private readonly TimeProvider _clock = TimeProvider.System;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset Renew)? _current;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        return base.SendAsync(request, cancellationToken);
    }

    private string Token()
    {
        lock (_lock)
        {
            if (_current is not { } current || _clock.GetUtcNow() >= current.Renew)
            {
                var name = environment.ApplicationName;
                // A stable id per service: the same caller in every audit row, across restarts.
                var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("service:" + name)).AsSpan(0, 16));
                current = (_issuer.CreateAccessToken(id, $"{name}@services.polyglot.local", Roles.Service, Lifetime), _clock.GetUtcNow() + Lifetime - TimeSpan.FromMinutes(1));
                _current = current;
            }

            return current.Token;
        }
    }
}
