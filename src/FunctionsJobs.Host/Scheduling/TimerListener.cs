using FunctionsJobs.Core.Scheduling;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// Runs one timer function with the semantics of the Functions timer trigger, across any number of
/// Host instances. Every instance waits for the next occurrence recorded by the schedule monitor;
/// at that time each tries the function's lock and the one that gets it reads the monitor again,
/// runs the occurrence (unless another instance just did) and records the next one before it
/// releases the lock. An occurrence that was missed (this host was down, or the instance running it
/// died) is seen past due and run once, however many ticks were missed. A run never overlaps the
/// next: the next occurrence is due from the run's start, and the lock keeps everyone else out.
/// An occurrence due while the lock is busy (a manual run, a run elsewhere, a dead instance's lease)
/// tries the lock again every quarter lock period, so it runs as soon as the lock frees.
/// </summary>
internal sealed partial class TimerListener(
    TimerFunction function, TimerRuns runs, JobRunner runner, TimerStatusStore monitor, TimerOptions options, TimeProvider time, ILogger<TimerListener> logger)
    : BackgroundService
{
    /// <summary>Waits are cut into pieces this long, so a schedule monitor changed elsewhere is seen.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);
    private static readonly TimeSpan StorageRetry = TimeSpan.FromSeconds(5);

    private readonly JobSchedule _schedule = function.Schedule;
    private readonly TimeSpan _busyRetry = options.LockPeriod / 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        LogSchedule(function.Name, _schedule.Expression, _schedule.TimeZone.Id, string.Join(", ", NextOccurrences(now, 5)));
        var startup = true;

        // Set while the due occurrence found the lock held: when to try it again.
        DateTimeOffset? retryAt = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var status = await CurrentStatusAsync(stoppingToken).ConfigureAwait(false);
                now = time.GetUtcNow();
                var trigger = JobTrigger.Schedule;
                var pastDueAtStartup = false;
                if (startup)
                {
                    startup = false;
                    if (status.Next < now)
                    {
                        // As Functions' monitor: a recorded next occurrence already gone by at start is past due.
                        pastDueAtStartup = true;
                        LogPastDue(function.Name, status.Next);
                    }
                    else if (function.RunOnStartup)
                    {
                        trigger = JobTrigger.RunOnStartup;
                    }
                }

                if (trigger == JobTrigger.Schedule && !pastDueAtStartup)
                {
                    // Still due after a busy attempt: wait for the retry, not for the following occurrence.
                    var wakeAt = retryAt is { } again && status.Next <= now ? again : status.Next;
                    if (wakeAt > now)
                    {
                        LogWaiting(function.Name, wakeAt);
                        var wait = wakeAt - now;
                        await Task.Delay(wait < LongestWait ? wait : LongestWait, time, stoppingToken).ConfigureAwait(false);
                        if (time.GetUtcNow() < wakeAt)
                        {
                            continue;
                        }
                    }
                }

                retryAt = null;
                if (await TryRunAsync(trigger, status.Next, pastDueAtStartup, stoppingToken).ConfigureAwait(false) == Attempt.Busy)
                {
                    // Held by a manual run, a run of this occurrence elsewhere, or a dead instance whose
                    // lease has yet to lapse: try again soon (or at the following occurrence, if that is
                    // sooner). Under the lock the monitor tells whether the holder ran this occurrence.
                    var after = time.GetUtcNow();
                    var following = _schedule.GetNextOccurrence(status.Next > after ? status.Next : after);
                    retryAt = after + _busyRetry < following ? after + _busyRetry : following;
                    LogBusy(function.Name, retryAt.Value);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogStorageFailure(ex, function.Name, StorageRetry);
                try
                {
                    await Task.Delay(StorageRetry, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<Attempt> TryRunAsync(JobTrigger trigger, DateTimeOffset expectedDue, bool pastDueAtStartup, CancellationToken stoppingToken)
    {
        var held = await runs.TryLockAsync(function, stoppingToken).ConfigureAwait(false);
        if (held is null)
        {
            return Attempt.Busy;
        }

        JobRun run;
        DateTimeOffset invokedAt;
        try
        {
            // A shutdown that began while the lock was being taken starts no run.
            stoppingToken.ThrowIfCancellationRequested();

            // Read again under the lock: the instance that held it before may have run this occurrence.
            var due = (await monitor.ReadAsync(function.Name, stoppingToken).ConfigureAwait(false))?.Next ?? expectedDue;
            invokedAt = time.GetUtcNow();
            if (trigger == JobTrigger.Schedule && due > invokedAt)
            {
                await held.DisposeAsync().ConfigureAwait(false);
                return Attempt.AlreadyRan;
            }

            var request = trigger == JobTrigger.Schedule
                ? new JobRunRequest(trigger, pastDueAtStartup || _schedule.GetNextOccurrence(due) <= invokedAt, due)
                : new JobRunRequest(trigger);
            run = await runner.StartAsync(function.Job, request, stoppingToken).ConfigureAwait(false);
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await runs.RunAsync(function, held, run, null, async _ =>
        {
            // Called unless the run was cut short (lost lock, shutdown). As Functions: a failed or timed-out
            // run advances the monitor too, and the next occurrence counts from the invocation, so missed
            // ticks collapse into one.
            var next = _schedule.GetNextOccurrence(invokedAt);
            await monitor.WriteAsync(function.Name, new TimerStatus(invokedAt, next, time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return Attempt.Ran;
    }

    /// <summary>The monitor's record; written first when there is none, or when the schedule changed since it was written.</summary>
    private async Task<TimerStatus> CurrentStatusAsync(CancellationToken cancellationToken)
    {
        var status = await monitor.ReadAsync(function.Name, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (status is null)
        {
            return await monitor.InitializeAsync(function.Name, new TimerStatus(null, _schedule.GetNextOccurrence(now), now), cancellationToken).ConfigureAwait(false);
        }

        if (status.Last is { } last && _schedule.GetNextOccurrence(last) != status.Next)
        {
            // Functions reads a Next that does not follow from Last as a changed schedule: not past due, start afresh.
            LogScheduleChanged(function.Name, status.Next);
            status = new TimerStatus(status.Last, _schedule.GetNextOccurrence(now), now);
            await monitor.WriteAsync(function.Name, status, cancellationToken).ConfigureAwait(false);
        }

        return status;
    }

    private IEnumerable<string> NextOccurrences(DateTimeOffset from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            from = _schedule.GetNextOccurrence(from);
            yield return from.ToString("yyyy-MM-dd HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private enum Attempt
    {
        Ran,
        AlreadyRan,
        Busy,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: timerTrigger '{Schedule}' in time zone {TimeZone}; next occurrences: {NextOccurrences}")]
    private partial void LogSchedule(string functionName, string schedule, string timeZone, string nextOccurrences);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: the occurrence due at {Due} was missed; running it now, once (past due)")]
    private partial void LogPastDue(string functionName, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Function {FunctionName}: next occurrence at {Next}")]
    private partial void LogWaiting(string functionName, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Function {FunctionName}: the lock is held elsewhere; next attempt at {Next}")]
    private partial void LogBusy(string functionName, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: the schedule changed since the monitor recorded {RecordedNext}; starting afresh")]
    private partial void LogScheduleChanged(string functionName, DateTimeOffset recordedNext);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName}: the timer could not reach storage; retrying in {Delay}")]
    private partial void LogStorageFailure(Exception exception, string functionName, TimeSpan delay);
}
