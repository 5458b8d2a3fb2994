using FunctionsJobs.Core.Scheduling;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Scheduling;

/// <summary>What a timer invocation tells the shared <see cref="JobRunner"/>, so both runtimes record runs alike.</summary>
internal static class TimerRunRequest
{
    /// <remarks>
    /// With <c>UseMonitor</c>, <c>ScheduleStatus.Next</c> is the status before this invocation: the
    /// occurrence being run (the missed one when <c>IsPastDue</c>). Its DateTime is wall-clock time of
    /// the app's time zone (WEBSITE_TIME_ZONE / TZ), which is this process's local zone too.
    /// </remarks>
    public static JobRunRequest From(TimerInfo timer) =>
        new(JobTrigger.Schedule, timer.IsPastDue, timer.ScheduleStatus is { } status ? new DateTimeOffset(status.Next) : null);
}
