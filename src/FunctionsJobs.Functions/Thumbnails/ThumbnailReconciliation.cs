using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Functions.Scheduling;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// The thumbnail reconciliation on its schedule (<c>%ThumbnailReconciliationSchedule%</c>). The
/// events it queues go to the thumbnail events queue, which <see cref="ThumbnailBlobEvents"/>
/// consumes (Event Grid's system topic cannot be published to, so the queue is the path that
/// reaches the handler in Azure too); the shared runner records the run in the same history the Host writes.
/// </summary>
public sealed class ThumbnailReconciliation(JobRunner runner, ThumbnailReconciliationJob job)
{
    [Function(ThumbnailReconciliationSettings.FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + ThumbnailReconciliationSettings.ScheduleSetting + "%", UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        runner.RunAsync(job, TimerRunRequest.From(timer), cancellationToken);
}
