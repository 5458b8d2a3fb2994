using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FunctionsJobs.Benchmarks.BlobScan;

/// <summary>
/// Counts the Host's storage requests by the container, queue or table they address (Azurite's
/// path-style <c>/{account}/{resource}...</c>; a table entity's path is <c>/{account}/{table}(keys)</c>).
/// </summary>
internal sealed class ResourceRequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, long> _byResource = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public long For(params string[] resources) => resources.Sum(r => _byResource.GetValueOrDefault(r));

    public override void OnReceivedResponse(HttpMessage message)
    {
        Interlocked.Increment(ref _total);
        var segments = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 2)
        {
            _byResource.AddOrUpdate(segments[1].Split('(')[0], 1, (_, n) => n + 1);
        }
    }
}
