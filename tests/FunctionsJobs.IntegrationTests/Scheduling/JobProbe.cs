using System.Collections.Concurrent;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>Records the runs of <see cref="ProbeJob"/> (across every Host that shares it) and lets a test await them.</summary>
public sealed class JobProbe
{
    private readonly ConditionWaiters<JobProbe> _waiters;
    private int _running;
    private int _maxRunning;

    public JobProbe()
    {
        _waiters = new ConditionWaiters<JobProbe>(this);
    }

    public ConcurrentQueue<JobRunContext> Started { get; } = new();

    public ConcurrentQueue<JobRunContext> Completed { get; } = new();

    public ConcurrentQueue<JobRunContext> Cancelled { get; } = new();

    /// <summary>While true, a run waits for <see cref="Gate"/> (or its cancellation).</summary>
    public bool Block { get; set; }

    /// <summary>Only the first run blocks; later ones finish at once.</summary>
    public bool BlockFirstOnly { get; set; }

    public SemaphoreSlim Gate { get; } = new(0);

    /// <summary>A blocked run waits for <see cref="Gate"/> without its token: a job that ignores cancellation.</summary>
    public bool IgnoreCancellation { get; set; }

    /// <summary>The first this many runs throw.</summary>
    public int FailRuns { get; set; }

    /// <summary>The most runs that were in progress at the same time.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public async Task RunAsync(JobRunContext context, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }

        try
        {
            var blocks = Block && (!BlockFirstOnly || Started.IsEmpty);
            Record(Started, context);
            if (Started.Count <= FailRuns)
            {
                throw new InvalidOperationException($"probe failure {Started.Count}");
            }

            context.Progress.Add(3, 50);
            if (blocks)
            {
                try
                {
                    await Gate.WaitAsync(IgnoreCancellation ? CancellationToken.None : cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Record(Cancelled, context);
                    throw;
                }
            }

            Record(Completed, context);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public Task WaitUntilAsync(Func<JobProbe, bool> condition, TimeSpan? timeout = null) =>
        _waiters.WaitUntilAsync(condition, timeout ?? TimeSpan.FromSeconds(60));

    private void Record(ConcurrentQueue<JobRunContext> queue, JobRunContext context) => _waiters.Change(() => queue.Enqueue(context));
}

/// <summary>A timer job for tests: it does nothing but tell the probe.</summary>
public sealed class ProbeJob(JobProbe probe) : IScheduledJob
{
    public const string FunctionName = "ProbeJob";
    public const string Setting = "ProbeJobSchedule";

    public string Name => FunctionName;

    public string ScheduleSetting => Setting;

    /// <summary>Once a year: a test that wants ticks sets the setting.</summary>
    public string DefaultSchedule => "0 0 0 1 1 *";

    public Task RunAsync(JobRunContext context, CancellationToken cancellationToken) => probe.RunAsync(context, cancellationToken);
}
