using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// A timer schedule as Functions reads one: a 6-field NCRONTAB expression
/// (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>) evaluated in a time zone, or a
/// fixed interval written <c>hh:mm:ss</c> (a TimeSpan schedule, counted from the last run).
/// </summary>
public abstract class JobSchedule
{
    private protected JobSchedule(string expression, TimeZoneInfo timeZone)
    {
        Expression = expression;
        TimeZone = timeZone;
    }

    public string Expression { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, with the offset of <see cref="TimeZone"/>.</summary>
    public abstract DateTimeOffset GetNextOccurrence(DateTimeOffset after);

    /// <summary>Reads the job's schedule setting; a malformed one fails with one line naming the setting and the job.</summary>
    public static JobSchedule FromSetting(IConfiguration configuration, IScheduledJob job, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(job);
        var value = configuration.GetSetting(job.ScheduleSetting, job.DefaultSchedule);
        return TryParse(value, timeZone, out var schedule)
            ? schedule
            : throw new InvalidSettingException(
                job.ScheduleSetting,
                $"(schedule of function {job.Name}) must be a 6-field NCRONTAB expression '{{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}' or an interval hh:mm:ss, not '{value}'");
    }

    public static bool TryParse(string expression, TimeZoneInfo timeZone, [NotNullWhen(true)] out JobSchedule? schedule)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(timeZone);
        var trimmed = expression.Trim();

        // Functions tries cron first, then a TimeSpan; the two forms cannot be mistaken for each other.
        if (CrontabSchedule.TryParse(trimmed, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is { } cron)
        {
            schedule = new CronJobSchedule(trimmed, cron, timeZone);
            return true;
        }

        if (trimmed.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var interval)
            && interval > TimeSpan.Zero)
        {
            schedule = new IntervalJobSchedule(trimmed, interval, timeZone);
            return true;
        }

        schedule = null;
        return false;
    }

    public override string ToString() => $"{Expression} ({TimeZone.Id})";
}

/// <summary>A fixed interval: the next occurrence is the last plus the interval, whatever the time zone says.</summary>
internal sealed class IntervalJobSchedule(string expression, TimeSpan interval, TimeZoneInfo timeZone) : JobSchedule(expression, timeZone)
{
    public TimeSpan Interval { get; } = interval;

    public override DateTimeOffset GetNextOccurrence(DateTimeOffset after) => TimeZoneInfo.ConvertTime(after + Interval, TimeZone);
}
