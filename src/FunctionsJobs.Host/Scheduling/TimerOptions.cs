using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// How the Host's timers coordinate across instances: the host id that names their blobs in
/// <c>azure-webjobs-hosts</c>, the lock lease, and the time zone schedules are read in.
/// </summary>
public sealed record TimerOptions(string HostId, TimeSpan LockPeriod, TimeZoneInfo TimeZone)
{
    /// <summary>The container the Functions host keeps its locks and timer status in.</summary>
    public const string HostsContainer = "azure-webjobs-hosts";

    /// <summary>The Functions setting (<c>AzureFunctionsWebHost__hostid</c>) that names the host.</summary>
    public const string HostIdSetting = "AzureFunctionsWebHost:hostid";

    /// <summary>App Service's site name: instances of one app share it, so it is the default host id, as in Functions.</summary>
    public const string SiteNameSetting = "WEBSITE_SITE_NAME";

    public const string DefaultHostId = "functionsjobs";

    /// <summary>The lease on a timer's lock blob (blob leases are 15 to 60 seconds), renewed while its job runs.</summary>
    public const string LockPeriodSetting = "FunctionsJobs:Timers:LockPeriod";
    public static readonly TimeSpan DefaultLockPeriod = TimeSpan.FromSeconds(60);

    public static string RunOnStartupSetting(string functionName) => $"FunctionsJobs:Timers:{functionName}:RunOnStartup";

    public string LockBlobName(string functionName) => $"locks/{HostId}/{functionName}";

    public string StatusBlobName(string functionName) => $"timers/{HostId}/{functionName}/status";

    public static TimerOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new TimerOptions(ReadHostId(configuration), ReadLockPeriod(configuration), ScheduleTimeZone.FromConfiguration(configuration));
    }

    /// <summary>Functions' host id rule: 1-32 lowercase letters, digits and single dashes, no dash at either end.</summary>
    public static bool IsValidHostId(string id) =>
        id.Length is >= 1 and <= 32 && id[0] != '-' && id[^1] != '-' && !id.Contains("--", StringComparison.Ordinal)
        && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static string ReadHostId(IConfiguration configuration)
    {
        var explicitId = configuration[HostIdSetting];
        if (explicitId is not null)
        {
            return IsValidHostId(explicitId)
                ? explicitId
                : throw new InvalidSettingException(HostIdSetting, $"must be 1-32 lowercase letters, digits and single dashes, not '{explicitId}'");
        }

        // Derived as Functions derives it from the site name: lowercased, cut to 32 characters.
        var site = configuration[SiteNameSetting];
        if (string.IsNullOrWhiteSpace(site))
        {
            return DefaultHostId;
        }

        var derived = new string([.. site.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
        while (derived.Contains("--", StringComparison.Ordinal))
        {
            derived = derived.Replace("--", "-", StringComparison.Ordinal);
        }

        derived = derived[..Math.Min(32, derived.Length)].Trim('-');
        return IsValidHostId(derived) ? derived : DefaultHostId;
    }

    private static TimeSpan ReadLockPeriod(IConfiguration configuration) =>
        configuration.GetTimeSpan(LockPeriodSetting, DefaultLockPeriod, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));
}
