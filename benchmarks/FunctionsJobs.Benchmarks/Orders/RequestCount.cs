using Azure.Core;
using Azure.Core.Pipeline;

namespace FunctionsJobs.Benchmarks.Orders;

/// <summary>Counts every storage request of the clients it is added to (both sides pay for it alike).</summary>
internal sealed class RequestCount : HttpPipelineSynchronousPolicy
{
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _requests);
}
