using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Settings;

/// <summary>Reads a named setting, falling back to its documented default (parsing: <see cref="SettingValue"/>).</summary>
public static class SettingDefaults
{
    /// <summary>
    /// Returns the setting, or <paramref name="fallback"/> when it is absent. A setting that is
    /// present but blank is an operator mistake, not a request for the default, so it fails.
    /// </summary>
    public static string GetSetting(this IConfiguration configuration, string name, string fallback)
    {
        var value = configuration[name];
        if (value is null)
        {
            return fallback;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidSettingException(name, "is set but empty");
        }

        return value.Trim();
    }

    /// <summary>Reads a <see cref="TimeSpan"/> setting written as <c>hh:mm:ss</c>, at least <paramref name="minimum"/> (and at most <paramref name="maximum"/>).</summary>
    public static TimeSpan GetTimeSpan(this IConfiguration configuration, string name, TimeSpan fallback, TimeSpan minimum, TimeSpan? maximum = null) =>
        SettingValue.Duration(configuration[name], name, fallback, minimum, maximum);

    /// <summary>Reads a whole-number setting within bounds; <paramref name="unit"/> is named in the error.</summary>
    public static int GetInt(this IConfiguration configuration, string name, int fallback, int min, int max, string? unit = null) =>
        SettingValue.Whole<int>(configuration[name], name, fallback, min, max, unit);

    public static long GetLong(this IConfiguration configuration, string name, long fallback, long min, long max, string? unit = null) =>
        SettingValue.Whole<long>(configuration[name], name, fallback, min, max, unit);

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public static bool GetBool(this IConfiguration configuration, string name, bool fallback) =>
        SettingValue.Flag(configuration[name], name, fallback);
}
