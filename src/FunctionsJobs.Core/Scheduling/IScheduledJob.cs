namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// A job that runs on a timer. Both runtimes call it: a Functions <c>TimerTrigger</c> method and the
/// Host's timer listener, each through <see cref="JobRunner"/>, which records the run. A run can be
/// cut short (a lost lock, a shutdown) and run again, so a job must be safe to repeat; a long job
/// keeps its place in <see cref="JobRunContext.Checkpoints"/>.
/// </summary>
public interface IScheduledJob
{
    /// <summary>The function name, the same in both runtimes.</summary>
    string Name { get; }

    /// <summary>The setting that holds the schedule (the <c>%Setting%</c> of the Functions attribute).</summary>
    string ScheduleSetting { get; }

    /// <summary>The schedule when the setting is absent: 6-field NCRONTAB or <c>hh:mm:ss</c>.</summary>
    string DefaultSchedule { get; }

    Task RunAsync(JobRunContext context, CancellationToken cancellationToken);
}
