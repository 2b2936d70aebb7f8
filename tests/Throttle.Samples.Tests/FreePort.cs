using System.Net;
using System.Net.Sockets;

namespace Throttle.Samples.Tests;

/// <summary>Picks a loopback TCP port that is free right now (another process may still take it before it is used).</summary>
internal static class FreePort
{
    public static int Get()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
