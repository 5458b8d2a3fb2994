namespace FunctionsJobs.Core.Scheduling;

/// <summary>What a job knows about the run it is doing.</summary>
public sealed class JobRunContext
{
    internal JobRunContext(JobRun run, string? input, JobProgress progress, JobCheckpoints checkpoints)
    {
        RunId = run.RunId;
        JobName = run.JobName;
        Trigger = run.Trigger;
        IsPastDue = run.IsPastDue;
        ScheduledFor = run.ScheduledFor;
        Input = input;
        Progress = progress;
        Checkpoints = checkpoints;
    }

    public string RunId { get; }

    public string JobName { get; }

    public JobTrigger Trigger { get; }

    /// <summary>True when this run catches up an occurrence that was missed (the host was down, or the lock holder died).</summary>
    public bool IsPastDue { get; }

    /// <summary>The schedule occurrence this run stands for; none for a manual run.</summary>
    public DateTimeOffset? ScheduledFor { get; }

    /// <summary>The <c>input</c> of a manual run's request body, if any.</summary>
    public string? Input { get; }

    /// <summary>Items processed and percent done, visible in the run history while the job runs.</summary>
    public JobProgress Progress { get; }

    /// <summary>Where the job keeps its place, so a run that was cut short resumes instead of starting over.</summary>
    public JobCheckpoints Checkpoints { get; }
}

/// <summary>Why a run started.</summary>
public enum JobTrigger
{
    Schedule,
    RunOnStartup,
    Manual,

    /// <summary>Another attempt after a failed run, as host.json <c>retry</c> asks.</summary>
    Retry,
}

public enum JobOutcome
{
    Running,
    Succeeded,
    Failed,
    Cancelled,

    /// <summary>Still marked running, but its process stopped reporting: it died without recording an end.</summary>
    Abandoned,
}
