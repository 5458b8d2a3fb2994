using System.Net;
using System.Net.Sockets;

namespace FunctionsJobs.Testing;

public static class LoopbackPorts
{
    /// <summary>Ports free on 127.0.0.1 now, all different (held open together while they are picked).</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
