using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Functions.Scheduling;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.SalesReport;

/// <summary>
/// The nightly sales report on its schedule (<c>%SalesReportSchedule%</c>). The Functions host keeps
/// it a singleton (listener lock) and monitors the schedule (<c>UseMonitor</c>); the shared runner
/// records the run in the same history the Host writes, and the job resumes from the checkpoint a
/// killed run left, whichever runtime wrote it.
/// </summary>
public sealed class NightlySalesReport(JobRunner runner, NightlySalesReportJob job)
{
    [Function(SalesReportSettings.FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + SalesReportSettings.ScheduleSetting + "%", UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        runner.RunAsync(job, TimerRunRequest.From(timer), cancellationToken);
}
