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

    /// <summary>
    /// Starts a server on ports free now, and on fresh ones when a port was taken by a parallel test
    /// between being picked and being bound (the server's start then fails with EADDRINUSE).
    /// </summary>
    public static async Task<T> StartOnFreePortsAsync<T>(int count, Func<int[], Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(Free(count)).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Pick again.
            }
        }
    }
}
