using System.Collections.Concurrent;
using System.Diagnostics;

namespace FunctionsJobs.Benchmarks.Orders;

/// <summary>When each order was submitted and completed (Stopwatch timestamps), and what that makes.</summary>
internal sealed class OrderTimings(int expected)
{
    private readonly ConcurrentDictionary<string, long> _submitted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _completed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _each = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task AllCompleted => _all.Task;

    public void Submitted(string orderId, long startedAt) => _submitted[orderId] = startedAt;

    /// <summary>Completes when the order is Completed (also when it already was).</summary>
    public Task CompletionOf(string orderId) => Signal(orderId).Task;

    public void Completed(string orderId)
    {
        if (_completed.TryAdd(orderId, Stopwatch.GetTimestamp()))
        {
            Signal(orderId).TrySetResult();
            if (_completed.Count == expected)
            {
                _all.TrySetResult();
            }
        }
    }

    private TaskCompletionSource Signal(string orderId) =>
        _each.GetOrAdd(orderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Orders per second from the first submission to the last completion, and completion latency percentiles.</summary>
    public PhaseResult Result(long requests)
    {
        // A completion can be seen before the client has read its 202: match on what both sides know.
        var latencies = _completed.Where(c => _submitted.ContainsKey(c.Key))
            .Select(c => Stopwatch.GetElapsedTime(_submitted[c.Key], c.Value).TotalMilliseconds).Order().ToList();
        var span = Stopwatch.GetElapsedTime(_submitted.Values.Min(), _completed.Values.Max());
        return new PhaseResult(expected / span.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), requests / (double)expected);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

/// <param name="OrdersPerSecond">Sustained throughput, POST (or its baseline equivalent) to Completed.</param>
/// <param name="StorageRequestsPerOrder">Storage requests of the phase, divided by its orders.</param>
internal sealed record PhaseResult(double OrdersPerSecond, double P50Ms, double P99Ms, double StorageRequestsPerOrder);
