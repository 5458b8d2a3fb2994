using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Settings;

/// <summary>Reads a named setting, falling back to its documented default.</summary>
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

    /// <summary>Reads a <see cref="TimeSpan"/> setting written as <c>hh:mm:ss</c>.</summary>
    public static TimeSpan GetTimeSpan(this IConfiguration configuration, string name, TimeSpan fallback, TimeSpan minimum)
    {
        var value = configuration[name];
        if (value is null)
        {
            return fallback;
        }

        if (!TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            throw new InvalidSettingException(name, $"must be a time span written as hh:mm:ss, not '{value}'");
        }

        if (parsed < minimum)
        {
            throw new InvalidSettingException(name, $"must be at least {minimum}, not {parsed}");
        }

        return parsed;
    }

    public static bool GetBool(this IConfiguration configuration, string name, bool fallback)
    {
        var value = configuration[name];
        if (value is null)
        {
            return fallback;
        }

        return bool.TryParse(value, out var parsed) ? parsed : throw new InvalidSettingException(name, $"must be true or false, not '{value}'");
    }

    public static int GetInt(this IConfiguration configuration, string name, int fallback, int min, int max)
    {
        var value = configuration[name];
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw new InvalidSettingException(name, $"must be a whole number from {min} to {max}, not '{value}'");
    }
}
