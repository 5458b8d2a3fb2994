using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Retention;

/// <summary>The retention clean-up job: its function name, schedule and how long each kind of record is kept.</summary>
public static class RetentionSettings
{
    public const string FunctionName = "RetentionCleanup";
    public const string ScheduleSetting = "RetentionCleanupSchedule";

    /// <summary>03:30 every day: after the nightly report, in the quiet hours.</summary>
    public const string DefaultSchedule = "0 30 3 * * *";

    public const string JobRunsDaysSetting = "RetentionJobRunsDays";
    public const int DefaultJobRunsDays = 30;

    /// <summary>
    /// Azure Storage drops a queue message after 7 days unless it was sent with another time-to-live,
    /// so a retention under 7 days is what removes poison messages early; their recorded reasons
    /// (the <c>PoisonReasons</c> table) never expire by themselves.
    /// </summary>
    public const string PoisonMessagesDaysSetting = "RetentionPoisonMessagesDays";
    public const int DefaultPoisonMessagesDays = 7;

    /// <summary>Reads a retention in whole days (at least 1).</summary>
    public static TimeSpan ReadDays(IConfiguration configuration, string setting, int fallback)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return TimeSpan.FromDays(configuration.GetInt(setting, fallback, 1, 36500, unit: "days"));
    }
}
