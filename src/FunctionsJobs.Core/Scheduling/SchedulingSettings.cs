namespace FunctionsJobs.Core.Scheduling;

/// <summary>Setting names of the scheduled jobs' shared parts, with their defaults.</summary>
public static class SchedulingSettings
{
    /// <summary>The table of run history, shared by both runtimes.</summary>
    public const string JobRunsTableSetting = "JobRunsTableName";
    public const string DefaultJobRunsTable = "JobRuns";

    /// <summary>The container where long jobs keep their checkpoints.</summary>
    public const string CheckpointsContainerSetting = "JobCheckpointsContainerName";
    public const string DefaultCheckpointsContainer = "job-checkpoints";

    /// <summary>How often a running job's progress is written to its run record (<c>hh:mm:ss</c>).</summary>
    public const string ProgressIntervalSetting = "JobProgressInterval";
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>Functions' time zone setting (App Service); takes precedence over <see cref="TzSetting"/>.</summary>
    public const string WebsiteTimeZoneSetting = "WEBSITE_TIME_ZONE";

    /// <summary>The time zone on Linux plans and in containers.</summary>
    public const string TzSetting = "TZ";
}
