using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;
using TimeZoneConverter;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// The time zone schedules are evaluated in, named as Functions names it: <c>WEBSITE_TIME_ZONE</c>,
/// then <c>TZ</c>, each an IANA id (<c>Europe/Berlin</c>) or a Windows id (<c>W. Europe Standard Time</c>).
/// Neither set means UTC, the default of Functions in Azure.
/// </summary>
public static class ScheduleTimeZone
{
    public static TimeZoneInfo FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var setting in new[] { SchedulingSettings.WebsiteTimeZoneSetting, SchedulingSettings.TzSetting })
        {
            var value = configuration[setting];
            if (value is null)
            {
                continue;
            }

            // POSIX allows TZ=":Europe/Berlin"; the colon only says "a file of the zone database".
            var id = value.Trim().TrimStart(':');
            if (id.Length == 0)
            {
                throw new InvalidSettingException(setting, "is set but empty: name a time zone such as 'Europe/Berlin' or 'W. Europe Standard Time'");
            }

            return Find(id) ?? throw new InvalidSettingException(setting, $"names no time zone known on this machine: '{value}' (use an IANA id such as 'Europe/Berlin' or a Windows id such as 'W. Europe Standard Time')");
        }

        return TimeZoneInfo.Utc;
    }

    /// <summary>Finds a zone by IANA or Windows id.</summary>
    public static TimeZoneInfo? Find(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // With InvariantGlobalization there is no ICU to map a Windows id to the IANA zone
            // database Linux has; the CLDR table of TimeZoneConverter does the same mapping.
            return TZConvert.TryWindowsToIana(id, out var iana) ? Find(iana) : null;
        }
    }
}
