using System.Globalization;

namespace FunctionsJobs.Core.SalesReport;

/// <summary>
/// Which day a run reports. Orders are partitioned by the UTC day they were accepted
/// (<see cref="Orders.OrderId"/>), so a report covers one UTC day: the last one that had ended when the
/// occurrence was due. At 02:00 in any zone west of UTC+2 that is the local "yesterday"; further east
/// (02:00 in Tokyo is 17:00 UTC the day before) it is the day before that, because the UTC day
/// named "yesterday" locally is still taking orders.
/// </summary>
public static class SalesReportDay
{
    public const string Format = "yyyy-MM-dd";

    /// <summary>The day for a run: the manual input if given, else the UTC day before the occurrence (or now).</summary>
    public static DateOnly Resolve(string? input, DateTimeOffset? scheduledFor, DateTimeOffset now)
    {
        if (!string.IsNullOrWhiteSpace(input))
        {
            return DateOnly.TryParseExact(input.Trim(), Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day
                : throw new ArgumentException($"the input of a manual run is the day to report, written {Format} (e.g. 2026-11-22), not '{input}'", nameof(input));
        }

        return Before(scheduledFor ?? now);
    }

    /// <summary>The last UTC day that ended before <paramref name="instant"/>.</summary>
    public static DateOnly Before(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime).AddDays(-1);

    public static string Name(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);
}
