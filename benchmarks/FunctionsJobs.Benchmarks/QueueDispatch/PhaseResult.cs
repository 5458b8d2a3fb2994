using System.Diagnostics;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>A point in a phase: wall clock and the CPU, thread-pool work items and bytes this process has used so far.</summary>
internal readonly record struct Mark(long Timestamp, TimeSpan Cpu, long WorkItems, long Allocated)
{
    public static Mark Now() => new(Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime, ThreadPool.CompletedWorkItemCount, GC.GetTotalAllocatedBytes());
}

/// <summary>
/// One timed phase. Messages per second is the figure; CPU per message is this process's share
/// (Azurite's is not in it), which a busy machine disturbs far less than wall-clock time, so it
/// shows whether a slower runtime round is the runtime's doing or the neighbours'.
/// </summary>
/// <param name="RequestsPerMessage">Storage requests to the phase's queue between the two marks, per message: what each side asks of Azurite.</param>
internal readonly record struct PhaseResult(double MessagesPerSecond, double CpuMicrosecondsPerMessage, double WorkItemsPerMessage, double BytesPerMessage, double RequestsPerMessage)
{
    public static PhaseResult Between(Mark start, Mark end, int messages, long requests) => new(
        messages / Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds,
        (end.Cpu - start.Cpu).TotalMicroseconds / messages,
        (end.WorkItems - start.WorkItems) / (double)messages,
        (end.Allocated - start.Allocated) / (double)messages,
        requests / (double)messages);
}
