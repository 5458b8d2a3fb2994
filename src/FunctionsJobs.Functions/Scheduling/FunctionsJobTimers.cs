using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Functions.Scheduling;

/// <summary>
/// The app's timer functions for the job routes. The worker does not see the Functions runtime's
/// schedule monitor, so last and next come from the run history and the schedule; no
/// <c>[TimerTrigger]</c> here sets RunOnStartup.
/// </summary>
internal sealed class FunctionsJobTimers(IEnumerable<IScheduledJob> jobs, IConfiguration configuration) : IJobTimers
{
    public IReadOnlyList<JobTimer> All { get; } = [.. jobs
        .OrderBy(j => j.Name, StringComparer.Ordinal)
        .Select(j => new JobTimer(j, JobSchedule.FromSetting(configuration, j, ScheduleTimeZone.FromConfiguration(configuration)), RunOnStartup: false))];

    public Task<JobMonitorStatus?> ReadMonitorAsync(string name, CancellationToken cancellationToken) => Task.FromResult<JobMonitorStatus?>(null);
}
