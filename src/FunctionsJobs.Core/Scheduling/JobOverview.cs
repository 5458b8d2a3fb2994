namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// What <c>GET /api/jobs</c> shows of a job in either runtime: its schedule, the last and next
/// occurrence and its latest run. The Host knows last and next from its schedule monitor; the
/// Functions worker does not see the runtime's monitor, so it shows the latest run and the next
/// occurrence after now.
/// </summary>
public sealed class JobOverview(JobRunHistory history, TimeProvider time)
{
    public async Task<JobSummary> SummarizeAsync(
        IScheduledJob job, JobSchedule schedule, DateTimeOffset? monitoredLast, DateTimeOffset? monitoredNext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(schedule);
        var latest = (await history.ListAsync(job.Name, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        return new JobSummary(
            job.Name,
            "timerTrigger",
            schedule.Expression,
            job.ScheduleSetting,
            schedule.TimeZone.Id,
            monitoredLast ?? latest?.StartedAt,
            monitoredNext ?? schedule.GetNextOccurrence(time.GetUtcNow()),
            latest);
    }
}

/// <param name="Last">The last occurrence that ran.</param>
/// <param name="Next">The next occurrence; in the past while a missed one waits to be caught up.</param>
public sealed record JobSummary(
    string Name, string Trigger, string Schedule, string ScheduleSetting, string TimeZone, DateTimeOffset? Last, DateTimeOffset Next, JobRun? LastRun);
