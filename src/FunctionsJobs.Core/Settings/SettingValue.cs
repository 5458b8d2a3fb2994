using System.Globalization;
using System.Numerics;

namespace FunctionsJobs.Core.Settings;

/// <summary>
/// The one reader of whole numbers, time spans and booleans in settings, for both runtimes. A
/// value that does not read, or lies outside its bounds, fails with the one-line
/// <see cref="InvalidSettingException"/> that names the setting and quotes the value as written.
/// A null <c>fallback</c> makes the setting required.
/// </summary>
public static class SettingValue
{
    /// <param name="setting">The name the error gives (a configuration key, or e.g. <c>host.json extensions.queues.batchSize</c>).</param>
    /// <param name="unit">Named in the error: "a whole number of <c>days</c> from 1 to 36500".</param>
    public static T Whole<T>(string? value, string setting, T? fallback, T min, T max, string? unit = null)
        where T : struct, IBinaryInteger<T>
    {
        if (value is null && fallback is { } absent)
        {
            return absent;
        }

        if (!T.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            throw new InvalidSettingException(setting, $"must be a whole number{(unit is null ? null : " of " + unit)} from {min} to {max}, not '{value}'");
        }

        return parsed;
    }

    /// <summary>A time span written as <c>hh:mm:ss</c> (or <c>d.hh:mm:ss</c>), at least <paramref name="min"/> and at most <paramref name="max"/>.</summary>
    public static TimeSpan Duration(string? value, string setting, TimeSpan? fallback, TimeSpan min, TimeSpan? max = null)
    {
        if (value is null && fallback is { } absent)
        {
            return absent;
        }

        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed))
        {
            throw new InvalidSettingException(setting, $"must be a time span written as hh:mm:ss, not '{value}'");
        }

        if (max is { } most && (parsed < min || parsed > most))
        {
            throw new InvalidSettingException(setting, $"must be a time span from {min} to {most}, not '{value}'");
        }

        if (parsed < min)
        {
            throw new InvalidSettingException(setting, $"must be at least {min}, not '{value}'");
        }

        return parsed;
    }

    public static bool Flag(string? value, string setting, bool fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        return bool.TryParse(value, out var parsed) ? parsed : throw new InvalidSettingException(setting, $"must be true or false, not '{value}'");
    }
}
