using FunctionsJobs.Core.Scheduling;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>The Host's timer functions for the job routes, with what its schedule monitor recorded.</summary>
internal sealed class HostJobTimers(TimerFunctions functions, TimerStatusStore monitor) : IJobTimers
{
    public IReadOnlyList<JobTimer> All { get; } = [.. functions.All.Select(f => new JobTimer(f.Job, f.Schedule, f.RunOnStartup))];

    public async Task<JobMonitorStatus?> ReadMonitorAsync(string name, CancellationToken cancellationToken) =>
        await monitor.ReadAsync(name, cancellationToken).ConfigureAwait(false) is { } status ? new JobMonitorStatus(status.Last, status.Next) : null;
}
