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

    /// <summary>App Service's site name: instances of one app (and slot) share it, so it names the host by default, as in Functions.</summary>
    public const string SiteNameSetting = "WEBSITE_SITE_NAME";

    /// <summary>App Service's deployment slot: a slot other than production gets a host id of its own, as in Functions.</summary>
    public const string SlotNameSetting = "WEBSITE_SLOT_NAME";

    /// <summary>The container app's name, which Azure Container Apps sets in every replica.</summary>
    public const string ContainerAppNameSetting = "CONTAINER_APP_NAME";

    /// <summary>Development only: every deployment elsewhere must name itself.</summary>
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

    /// <summary>
    /// The explicit setting; else, as Functions derives it, the App Service site name (with
    /// "-{slot}" for a slot other than production) or the container app's name: lowercased, cut
    /// to 32 characters, trailing '-' trimmed. Two deployments on one storage account that end up
    /// with one id share their timer locks and status (one of them never runs its timers), so
    /// outside Development a host without a name of its own does not start.
    /// </summary>
    private static string ReadHostId(IConfiguration configuration)
    {
        var explicitId = configuration[HostIdSetting];
        if (explicitId is not null)
        {
            return IsValidHostId(explicitId)
                ? explicitId
                : throw new InvalidSettingException(HostIdSetting, $"must be 1-32 lowercase letters, digits and single dashes, not '{explicitId}'");
        }

        var (name, source) = configuration[SiteNameSetting] is { Length: > 0 } site
            ? (configuration[SlotNameSetting] is { Length: > 0 } slot && !slot.Equals("production", StringComparison.OrdinalIgnoreCase) ? $"{site}-{slot}" : site, SiteNameSetting)
            : (configuration[ContainerAppNameSetting], ContainerAppNameSetting);
        if (string.IsNullOrWhiteSpace(name))
        {
            // The generic host keeps its environment name in configuration; unset means Production.
            return Environments.Development.Equals(configuration[HostDefaults.EnvironmentKey], StringComparison.OrdinalIgnoreCase)
                ? DefaultHostId
                : throw new InvalidSettingException(HostIdSetting, $"is not set: outside Development each deployment on a storage account needs a host id of its own, or its timers share locks and status with the others; set it (1-32 lowercase letters, digits and dashes) or run where {SiteNameSetting} or {ContainerAppNameSetting} names the app");
        }

        var derived = name.ToLowerInvariant();
        derived = derived[..Math.Min(32, derived.Length)].TrimEnd('-');
        return IsValidHostId(derived)
            ? derived
            : throw new InvalidSettingException(HostIdSetting, $"is not set, and '{derived}' derived from {source} is not a valid host id (1-32 lowercase letters, digits and single dashes): set it");
    }

    private static TimeSpan ReadLockPeriod(IConfiguration configuration) =>
        configuration.GetTimeSpan(LockPeriodSetting, DefaultLockPeriod, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));
}
