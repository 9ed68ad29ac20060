using System.Net;
using Microsoft.Extensions.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Gateway;

/// <summary>
/// Turns <c>http://catalog-api</c> destinations into real addresses with Microsoft.Extensions.ServiceDiscovery,
/// the same resolver every HttpClient uses (its YARP package is not on this registry).
/// </summary>
internal sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver) : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>();
        foreach (var (name, destination) in destinations)
        {
            var uri = new Uri(destination.Address);
            var source = await resolver.GetEndpointsAsync($"{uri.Scheme}://{uri.Host}", cancellationToken);
            var index = 0;
            foreach (var endpoint in source.Endpoints)
            {
                var address = ToUri(uri.Scheme, endpoint.EndPoint);
                resolved[$"{name}[{index++}]"] = destination with
                {
                    Address = new UriBuilder(address) { Path = uri.AbsolutePath }.Uri.ToString(),
                };
            }
        }

        return new ResolvedDestinationCollection(resolved, changeToken: null);
    }

    private static Uri ToUri(string scheme, EndPoint endpoint) => endpoint switch
    {
        UriEndPoint u => u.Uri,
        DnsEndPoint d => new UriBuilder(scheme, d.Host, d.Port).Uri,
        IPEndPoint ip => new UriBuilder(scheme, ip.Address.ToString(), ip.Port).Uri,
        _ => new Uri($"{scheme}://{endpoint}"),
    };
}
