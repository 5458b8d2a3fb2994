namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// What <c>GET /api/jobs</c> shows of each job in either runtime: its schedule, the last and next
/// occurrence and its latest run. Without a schedule monitor, last is the latest run's start and
/// next the next occurrence after now.
/// </summary>
public sealed class JobOverview(JobRunHistory history, TimeProvider time)
{
    public async Task<IReadOnlyList<JobSummary>> ListAsync(IJobTimers timers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timers);
        var summaries = new List<JobSummary>(timers.All.Count);
        foreach (var timer in timers.All)
        {
            var monitor = await timers.ReadMonitorAsync(timer.Job.Name, cancellationToken).ConfigureAwait(false);
            var latest = (await history.ListAsync(timer.Job.Name, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            summaries.Add(new JobSummary(
                timer.Job.Name,
                "timerTrigger",
                timer.Schedule.Expression,
                timer.Job.ScheduleSetting,
                timer.Schedule.TimeZone.Id,
                timer.RunOnStartup,
                monitor?.Last ?? latest?.StartedAt,
                monitor?.Next ?? timer.Schedule.GetNextOccurrence(time.GetUtcNow()),
                latest));
        }

        return summaries;
    }
}

/// <param name="Last">The last occurrence that ran.</param>
/// <param name="Next">The next occurrence; in the past while a missed one waits to be caught up.</param>
public sealed record JobSummary(
    string Name, string Trigger, string Schedule, string ScheduleSetting, string TimeZone, bool RunOnStartup, DateTimeOffset? Last, DateTimeOffset Next, JobRun? LastRun);
