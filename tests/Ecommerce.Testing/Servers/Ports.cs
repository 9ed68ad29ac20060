using System.Net;
using System.Net.Sockets;

namespace Ecommerce.Testing.Servers;

public static class Ports
{
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port the OS says is free on 127.0.0.1 right now, and never one this process handed out before: the OS
    /// can return the same ephemeral port to two probes in a row (seen here: identity-api and catalog-api were
    /// both given 43509, and the second to bind crashed after seeding).
    /// </summary>
    public static int GetFree()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
