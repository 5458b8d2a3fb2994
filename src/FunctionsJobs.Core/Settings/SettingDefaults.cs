using FunctionsJobs.Core.Storage;
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

    /// <summary>Reads the name of a storage table (<see cref="StorageNames.IsTableName"/>).</summary>
    public static string GetTableName(this IConfiguration configuration, string name, string fallback) =>
        configuration.GetName(name, fallback, StorageNames.IsTableName, "a table name (3-63 letters and digits, starting with a letter)");

    /// <summary>Reads the name of a storage queue with room for its <c>-poison</c> twin (<see cref="StorageNames.IsQueueName"/>).</summary>
    public static string GetQueueName(this IConfiguration configuration, string name, string fallback) =>
        configuration.GetName(name, fallback, n => StorageNames.IsQueueName(n), "a queue name (3-56 lowercase letters, digits and single hyphens)");

    /// <summary>Reads the name of a blob container: the queue rules, up to 63 characters.</summary>
    public static string GetContainerName(this IConfiguration configuration, string name, string fallback) =>
        configuration.GetName(name, fallback, n => StorageNames.IsQueueName(n, maxLength: 63), "a container name (3-63 lowercase letters, digits and single hyphens)");

    /// <summary>Reads a name that must follow <paramref name="rule"/>, which the one-line error states.</summary>
    public static string GetName(this IConfiguration configuration, string name, string fallback, Func<string, bool> valid, string rule)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var value = configuration.GetSetting(name, fallback);
        return valid(value) ? value : throw new InvalidSettingException(name, $"must be {rule}, not '{value}'");
    }
}
