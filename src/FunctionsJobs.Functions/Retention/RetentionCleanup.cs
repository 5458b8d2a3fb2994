using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Functions.Scheduling;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Retention;

/// <summary>
/// The retention clean-up on its schedule (<c>%RetentionCleanupSchedule%</c>). The Functions host
/// keeps it a singleton (listener lock) and monitors the schedule (<c>UseMonitor</c>); the shared
/// runner records the run in the same history the Host writes.
/// </summary>
public sealed class RetentionCleanup(JobRunner runner, RetentionCleanupJob job)
{
    [Function(RetentionSettings.FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + RetentionSettings.ScheduleSetting + "%", UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        runner.RunAsync(job, TimerRunRequest.From(timer), cancellationToken);
}
