using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ecommerce.AppHost.Hosting;

/// <summary>
/// Dashboard buttons that call a service's own admin endpoint, as an admin would: a short-lived admin token signed with
/// the platform's JWT key, then the endpoint's answer (its problem details when it refuses) shown as the result.
/// </summary>
public static class AdminCommands
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(100) };

    public static IResourceBuilder<ProjectResource> WithAdminCommand(this IResourceBuilder<ProjectResource> project, string name,
        string displayName, string description, HttpMethod method, string path, IResourceBuilder<ParameterResource> signingKey,
        string? iconName = null) =>
        project.WithCommand(name, displayName, async context =>
        {
            var key = await signingKey.Resource.GetValueAsync(context.CancellationToken)
                ?? throw new InvalidOperationException("The JWT signing key parameter has no value.");
            var url = new Uri(new Uri(project.Resource.GetEndpoint("http").Url), path);
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken(key));
            using var response = await Http.SendAsync(request, context.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(context.CancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success($"{displayName}: {(int)response.StatusCode}", body, CommandResultFormat.Json)
                : CommandResults.Failure($"{displayName}: {(int)response.StatusCode} {response.ReasonPhrase}", body, CommandResultFormat.Json);
        }, new CommandOptions
        {
            Description = description,
            IconName = iconName,
            // Only a healthy service can take the call.
            UpdateState = state => state.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });

    /// <summary>The same issuer, audience and role claim the identity service puts in an admin's token; valid for a minute.</summary>
    internal static string AdminToken(string signingKey)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ServiceResourceDefaults.JwtIssuer,
            Audience = ServiceResourceDefaults.JwtAudience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Sub, Guid.Empty.ToString()),
                new Claim(JwtRegisteredClaimNames.Email, "apphost@polyglot.local"),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.CreateVersion7().ToString()),
                new Claim("role", "admin"),
            ]),
        });
    }
}
