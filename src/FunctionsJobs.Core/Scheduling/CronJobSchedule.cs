using NCrontab;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// A 6-field NCRONTAB schedule in a time zone, with the daylight-saving rules of the Functions
/// timer trigger (WebJobs.Extensions <c>CronSchedule</c>):
/// <list type="bullet">
/// <item>spring forward: an occurrence in the skipped hour runs at the same wall-clock minute one
/// hour later (02:30 becomes 03:30), once;</item>
/// <item>fall back, point-in-time schedule (no <c>*</c>, <c>/</c> or <c>-</c> in the second, minute
/// or hour field): an occurrence in the repeated hour runs once, in its first (daylight) pass;</item>
/// <item>fall back, interval schedule: it keeps running through both passes of the repeated hour.</item>
/// </list>
/// </summary>
internal sealed class CronJobSchedule : JobSchedule
{
    private readonly CrontabSchedule _cron;
    private readonly bool _isInterval;

    public CronJobSchedule(string expression, CrontabSchedule cron, TimeZoneInfo timeZone)
        : base(expression, timeZone)
    {
        _cron = cron;
        _isInterval = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Take(3)
            .Any(part => part.Contains('*', StringComparison.Ordinal) || part.Contains('/', StringComparison.Ordinal) || part.Contains('-', StringComparison.Ordinal));
    }

    public override DateTimeOffset GetNextOccurrence(DateTimeOffset after)
    {
        var now = TimeZoneInfo.ConvertTime(after, TimeZone);
        var next = InZone(_cron.GetNextOccurrence(now.DateTime));
        if (!TimeZone.SupportsDaylightSavingTime)
        {
            return next;
        }

        var nowAmbiguous = TimeZone.IsAmbiguousTime(now);
        var nextAmbiguous = TimeZone.IsAmbiguousTime(next);
        if (!nowAmbiguous && !nextAmbiguous)
        {
            return next;
        }

        if (!_isInterval && nextAmbiguous && next.Offset != now.Offset)
        {
            // Now is still daylight time and next falls in the repeated hour, which a zone reads as
            // standard time: take the first (daylight) pass instead.
            return TimeZoneInfo.ConvertTime(next.Add(next.Offset - now.Offset), TimeZone);
        }

        if (!_isInterval && nextAmbiguous)
        {
            // Already in the second pass of the repeated hour: the first pass ran this occurrence.
            var local = next.DateTime;
            while (TimeZone.IsAmbiguousTime(local))
            {
                local = _cron.GetNextOccurrence(local);
            }

            return InZone(local);
        }

        if (_isInterval && next.Offset != now.Offset)
        {
            // An interval crossing into the repeated hour goes on through its daylight pass first.
            return TimeZoneInfo.ConvertTime(next.Add(next.Offset - now.Offset), TimeZone);
        }

        return next;
    }

    /// <summary>
    /// A wall-clock time in the zone. A time the zone skipped gets the standard offset and so moves
    /// forward by the daylight delta; a repeated time gets the standard (second-pass) offset.
    /// </summary>
    private DateTimeOffset InZone(DateTime local) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeZone.GetUtcOffset(local)), TimeZone);
}
