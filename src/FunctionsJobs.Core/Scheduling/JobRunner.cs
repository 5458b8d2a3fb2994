using System.Runtime.ExceptionServices;
using FunctionsJobs.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// Runs a job the same way in both runtimes: records the start in the run history, writes progress
/// and a heartbeat while it runs, records the end (succeeded, failed with the error, or cancelled
/// with the reason).
/// </summary>
/// <remarks>Each run is a span (the parent of whatever the job sends) and a measurement of <see cref="JobRunMetrics"/>.</remarks>
public sealed partial class JobRunner(JobRunHistory history, JobCheckpointStore checkpoints, TimeProvider time, ILogger<JobRunner> logger, JobRunMetrics? metrics = null)
{
    /// <summary>
    /// Records and runs in one step, what a Functions timer function calls: a failure or cancellation
    /// is recorded, then rethrown, so the Functions runtime reports the invocation as failed too.
    /// </summary>
    public async Task<JobRun> RunAsync(IScheduledJob job, JobRunRequest request, CancellationToken cancellationToken)
    {
        var run = await StartAsync(job, request, cancellationToken).ConfigureAwait(false);
        var result = await ExecuteAsync(job, run, request.Input, cancellationToken).ConfigureAwait(false);
        result.Failure?.Throw();
        return result.Run;
    }

    /// <summary>Records the start; the run id is known from here on (a manual run answers with it before the job runs).</summary>
    public Task<JobRun> StartAsync(IScheduledJob job, JobRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(request);
        return history.StartAsync(job.Name, request.Trigger, request.IsPastDue, request.ScheduledFor, cancellationToken);
    }

    /// <summary>Runs a started run to its end and records it; a failure is recorded and returned, not thrown.</summary>
    /// <param name="cancellationReason">Says why <paramref name="cancellationToken"/> fired (lost lock, shutdown), for the run record.</param>
    /// <param name="abandonAfter">
    /// How long a job may keep running once its token fired. A job that ignores its token longer is
    /// abandoned: recorded as failed, and this returns while it goes on (<see cref="JobRunResult.Abandoned"/>).
    /// Null waits for the job however long it takes, as a Functions invocation does.
    /// </param>
    public async Task<JobRunResult> ExecuteAsync(
        IScheduledJob job, JobRun run, string? input, CancellationToken cancellationToken, Func<string>? cancellationReason = null, TimeSpan? abandonAfter = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(run);
        var progress = new JobProgress();
        var context = new JobRunContext(run, input, progress, checkpoints.For(job.Name));
        LogStarted(job.Name, run.RunId, run.Trigger, run.IsPastDue, run.ScheduledFor);

        using var activity = JobRunMetrics.StartRun(run);
        using var stopReporting = new CancellationTokenSource();
        var reporting = ReportProgressAsync(run, progress, stopReporting.Token);
        Exception? failure = null;
        var abandoned = false;
        try
        {
            if (abandonAfter is { } grace)
            {
                // On a thread of its own, so that a job that blocks without awaiting cannot hold this method too.
                var running = Task.Run(() => job.RunAsync(context, cancellationToken), CancellationToken.None);
                abandoned = !await EndsWithinGraceAsync(running, grace, cancellationToken).ConfigureAwait(false);
                if (abandoned)
                {
                    _ = running.ContinueWith(
                        t =>
                        {
                            _ = t.Exception;
                            LogEndedAfterAbandoned(job.Name, run.RunId, t.Status);
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
                else
                {
                    await running.ConfigureAwait(false);
                }
            }
            else
            {
                await job.RunAsync(context, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        await stopReporting.CancelAsync().ConfigureAwait(false);
        await reporting.ConfigureAwait(false);

        var (items, percent) = progress.Snapshot();
        var cancelled = failure is OperationCanceledException && cancellationToken.IsCancellationRequested;
        var (outcome, error) = failure switch
        {
            _ when abandoned => (JobOutcome.Failed, $"{cancellationReason?.Invoke() ?? "cancelled"}; the job ignored its cancellation for {abandonAfter} and was abandoned, still running"),
            null => (JobOutcome.Succeeded, (string?)null),
            _ when cancelled => (JobOutcome.Cancelled, cancellationReason?.Invoke() ?? "cancelled"),
            _ => (JobOutcome.Failed, $"{failure.GetType().Name}: {failure.Message}"),
        };

        // The end is recorded even when the run was cancelled: the token that stopped the job must not stop the bookkeeping.
        var finished = await history.CompleteAsync(run, outcome, items, percent, error, CancellationToken.None).ConfigureAwait(false);
        var elapsed = (finished.EndedAt ?? run.StartedAt) - run.StartedAt;
        metrics?.Ended(activity, finished, elapsed, failure);
        switch (outcome)
        {
            case JobOutcome.Succeeded:
                LogSucceeded(job.Name, run.RunId, items, elapsed);
                break;
            case JobOutcome.Cancelled:
                LogCancelled(job.Name, run.RunId, error!, items, elapsed);
                break;
            case JobOutcome.Failed when abandoned:
                LogAbandoned(job.Name, run.RunId, error!, items, elapsed);
                break;
            default:
                LogFailed(failure, job.Name, run.RunId, items, elapsed);
                break;
        }

        return new JobRunResult(finished, failure is null ? null : ExceptionDispatchInfo.Capture(failure), abandoned);
    }

    /// <summary>True when <paramref name="running"/> ended, by itself or within <paramref name="grace"/> of its cancellation.</summary>
    private async Task<bool> EndsWithinGraceAsync(Task running, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !running.IsCompleted)
        {
            // Cancelled and still running: the grace starts now.
        }
        catch (Exception)
        {
            // It ended, by failing; the caller reads the failure from the task.
            return true;
        }

        try
        {
            await running.WaitAsync(grace, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // Ended within the grace, by failing (its cancellation, most likely).
        }

        return true;
    }

    private async Task ReportProgressAsync(JobRun run, JobProgress progress, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(history.ProgressInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var (items, percent) = progress.Snapshot();
                try
                {
                    await history.ReportAsync(run, items, percent, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Progress is for watching; a failed write must not fail the job.
                    LogProgressFailed(ex, run.JobName, run.RunId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName} run {RunId} started ({Trigger}, past due {IsPastDue}, scheduled for {ScheduledFor})")]
    private partial void LogStarted(string jobName, string runId, JobTrigger trigger, bool isPastDue, DateTimeOffset? scheduledFor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName} run {RunId} succeeded: {ItemsProcessed} items in {Elapsed}")]
    private partial void LogSucceeded(string jobName, string runId, long itemsProcessed, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobName} run {RunId} cancelled ({Reason}) after {ItemsProcessed} items in {Elapsed}")]
    private partial void LogCancelled(string jobName, string runId, string reason, long itemsProcessed, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobName} run {RunId} failed after {ItemsProcessed} items in {Elapsed}")]
    private partial void LogFailed(Exception? exception, string jobName, string runId, long itemsProcessed, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobName} run {RunId} abandoned ({Reason}) after {ItemsProcessed} items in {Elapsed}")]
    private partial void LogAbandoned(string jobName, string runId, string reason, long itemsProcessed, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobName} run {RunId}: the abandoned job ended after all ({Status}); its run stays recorded as abandoned")]
    private partial void LogEndedAfterAbandoned(string jobName, string runId, TaskStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobName} run {RunId}: could not write progress")]
    private partial void LogProgressFailed(Exception exception, string jobName, string runId);
}

/// <param name="ScheduledFor">The occurrence the run stands for (Functions: <c>TimerInfo.ScheduleStatus.Next</c> before the run).</param>
/// <param name="Input">The <c>input</c> of a manual run.</param>
public sealed record JobRunRequest(JobTrigger Trigger, bool IsPastDue = false, DateTimeOffset? ScheduledFor = null, string? Input = null);

/// <param name="Failure">What the job threw (cancellation included), to rethrow where the runtime should see it.</param>
/// <param name="Abandoned">The job ignored its cancellation past the grace and is still running.</param>
public sealed record JobRunResult(JobRun Run, ExceptionDispatchInfo? Failure, bool Abandoned = false);
