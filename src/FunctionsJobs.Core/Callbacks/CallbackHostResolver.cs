using System.Net;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Resolves a callback's host name, at intake and again on every connect (so a name that changes
/// to a private address after intake is refused when it matters). Replaceable for tests of that.
/// </summary>
public sealed class CallbackHostResolver(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;

    /// <summary>The addresses of <paramref name="host"/>: itself when it is an address literal.</summary>
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult(new[] { literal }) : _resolve(host, cancellationToken);
}
