using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// The timer runs in progress on this instance, scheduled or manual, each under its function's
/// lock. A run is cancelled when its lock is lost. On shutdown no new run starts; running ones may
/// finish within <c>FunctionsJobs:DrainTimeout</c>, then they are cancelled and their locks released.
/// A failed run is run again as host.json <c>retry</c> says, still under the lock, each attempt a run
/// of its own in the history.
/// </summary>
public sealed partial class TimerRuns(
    JobLocks locks, JobRunner runner, HostRuntimeOptions hostOptions, TimerRetryOptions retry, TimeProvider time, ILogger<TimerRuns> logger) : IHostedService, IDisposable
{
    private const string ShutdownReason = "the host shut down before the run finished (FunctionsJobs:DrainTimeout)";
    private readonly InFlightWork _work = new(time);

    public bool IsStopping => _work.IsStopping;

    /// <summary>The function's lock, or null when it is held elsewhere (or here) or the host is stopping.</summary>
    public Task<JobLock?> TryLockAsync(TimerFunction function, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        return _work.IsStopping ? Task.FromResult<JobLock?>(null) : locks.TryAcquireAsync(function.Name, cancellationToken);
    }

    /// <summary>
    /// A manual run under the lock: recorded and started in the background, so the caller can answer
    /// with its run id at once. Null when the lock is held (the job is running) or the host is stopping.
    /// </summary>
    public async Task<JobRun?> TryStartManualAsync(TimerFunction function, string? input, CancellationToken cancellationToken)
    {
        var held = await TryLockAsync(function, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            return null;
        }

        JobRun run;
        try
        {
            run = await runner.StartAsync(function.Job, new JobRunRequest(JobTrigger.Manual, Input: input), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _ = RunAsync(function, held, run, input, beforeRelease: null);
        return run;
    }

    /// <summary>
    /// Runs a recorded run under the held lock, then <paramref name="beforeRelease"/> while the lock is
    /// still ours, unless the run was cut short by a lost lock or by shutdown; then releases the lock.
    /// Never throws: the outcome is in the run.
    /// </summary>
    public Task<JobRun> RunAsync(TimerFunction function, JobLock held, JobRun run, string? input, Func<JobRun, Task>? beforeRelease)
    {
        _work.Begin();
        return RunCoreAsync(function, held, run, input, beforeRelease);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        _work.StopAsync(hostOptions.DrainTimeout, running => LogDraining(running, hostOptions.DrainTimeout), LogAborting, endWithin: null, cancellationToken);

    public void Dispose() => _work.Dispose();

    private async Task<JobRun> RunCoreAsync(TimerFunction function, JobLock held, JobRun run, string? input, Func<JobRun, Task>? beforeRelease)
    {
        try
        {
            // Leave the caller first: a manual run answers its request before the job does any work.
            await Task.Yield();
            return await RunUnderLockAsync(function, held, run, input, beforeRelease).ConfigureAwait(false);
        }
        finally
        {
            _work.End();
        }
    }

    private async Task<JobRun> RunUnderLockAsync(TimerFunction function, JobLock held, JobRun run, string? input, Func<JobRun, Task>? beforeRelease)
    {
        await using (held.ConfigureAwait(false))
        {
            RunEnd end;
            using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(held.Lost, _work.Cancelled))
            {
                try
                {
                    end = await RunWithRetriesAsync(function, held, run, input, cancel.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Only the bookkeeping can throw here (the run record could not be written).
                    LogBookkeepingFailed(ex, function.Name, run.RunId);
                    return run;
                }
            }

            if (end.Abandoned)
            {
                // Still running: the lock lapses within a period instead of being handed over at once.
                held.Abandon();
                LogLockLeftToLapse(function.Name, end.Run.RunId, locks.Options.LockPeriod);
            }

            // Cut short, the occurrence stays due: a lost lock is another instance's to run, and the
            // next start catches a shutdown up. Any other end (succeeded, failed, timed out,
            // abandoned) counts as the occurrence run, so a failing job is not re-run back to back.
            var cutShort = held.Lost.IsCancellationRequested
                || (_work.Cancelled.IsCancellationRequested && (end.Abandoned || end.Run.Outcome == JobOutcome.Cancelled));
            if (beforeRelease is not null && !cutShort)
            {
                try
                {
                    await beforeRelease(end.Run).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogBookkeepingFailed(ex, function.Name, run.RunId);
                }
            }

            return end.Run;
        }
    }

    private async Task<RunEnd> RunWithRetriesAsync(TimerFunction function, JobLock held, JobRun run, string? input, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Each attempt is an invocation of its own, with its own functionTimeout, as in Functions.
            using var timeout = hostOptions.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
            using var invocation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var result = await runner.ExecuteAsync(
                function.Job, run, input, invocation.Token,
                () => held.LostReason ?? (cancellationToken.IsCancellationRequested ? ShutdownReason : $"functionTimeout {hostOptions.FunctionTimeout} exceeded"),
                hostOptions.FunctionTimeoutGrace).ConfigureAwait(false);
            var finished = result.Run;
            var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

            // An abandoned job is still running: another attempt would run beside it.
            if (result.Abandoned || (finished.Outcome != JobOutcome.Failed && !timedOut) || attempt > retry.MaxRetryCount || _work.IsStopping)
            {
                return new RunEnd(finished, result.Abandoned);
            }

            var delay = retry.DelayBefore(attempt);
            LogRetrying(function.Name, finished.RunId, attempt, retry.MaxRetryCount, delay);
            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                run = await runner.StartAsync(function.Job, new JobRunRequest(JobTrigger.Retry, finished.IsPastDue, finished.ScheduledFor, input), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The lock was lost or the host is stopping: the failed run stands, the next occurrence tries again.
                return new RunEnd(finished, Abandoned: false);
            }
        }
    }

    private readonly record struct RunEnd(JobRun Run, bool Abandoned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {FunctionName}: run {RunId} failed; retry {Retry} of {MaxRetryCount} in {Delay} (host.json retry)")]
    private partial void LogRetrying(string functionName, string runId, int retry, int maxRetryCount, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Timers: draining {Count} running jobs for up to {DrainTimeout}")]
    private partial void LogDraining(int count, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timers: drain timed out; cancelling {Count} jobs")]
    private partial void LogAborting(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {FunctionName}: run {RunId} was abandoned still running; its lock is no longer renewed and lapses within {LockPeriod}")]
    private partial void LogLockLeftToLapse(string functionName, string runId, TimeSpan lockPeriod);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer {FunctionName}: could not record run {RunId}")]
    private partial void LogBookkeepingFailed(Exception exception, string functionName, string runId);
}
