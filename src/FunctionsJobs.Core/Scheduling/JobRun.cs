namespace FunctionsJobs.Core.Scheduling;

/// <summary>One run of a job as the run history records it.</summary>
/// <param name="ScheduledFor">The schedule occurrence the run stands for; none for a manual run.</param>
/// <param name="Instance">The process that ran it (machine:pid).</param>
/// <param name="HeartbeatAt">When the running process last wrote progress; a run that stops beating was abandoned.</param>
public sealed record JobRun(
    string JobName,
    string RunId,
    JobTrigger Trigger,
    bool IsPastDue,
    DateTimeOffset? ScheduledFor,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    JobOutcome Outcome,
    long ItemsProcessed,
    double? Progress,
    string? Error,
    string Instance,
    DateTimeOffset HeartbeatAt);
