namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// The timer functions of a runtime, as <c>GET /api/jobs</c> shows them. The Host knows its schedule
/// monitor; the Functions worker does not see the runtime's, so it reports none.
/// </summary>
public interface IJobTimers
{
    /// <summary>Every timer function, ordered by name.</summary>
    IReadOnlyList<JobTimer> All { get; }

    /// <summary>The schedule monitor's last and next occurrence, or null where this runtime keeps none.</summary>
    Task<JobMonitorStatus?> ReadMonitorAsync(string name, CancellationToken cancellationToken);

    /// <summary>Function names are case-insensitive, as in Functions.</summary>
    JobTimer? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Job.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A job on its schedule.</summary>
public sealed record JobTimer(IScheduledJob Job, JobSchedule Schedule, bool RunOnStartup);

/// <summary>What a schedule monitor recorded: the last occurrence that ran and the next one due.</summary>
public sealed record JobMonitorStatus(DateTimeOffset? Last, DateTimeOffset Next);
