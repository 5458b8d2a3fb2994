using System.Globalization;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Configuration;

namespace FunctionsJobs.Host;

/// <summary>
/// What holds for every function of the Host, whatever its trigger: how long invocations may run,
/// how long a received queue message stays hidden, and how shutdown drains.
/// </summary>
public sealed record HostRuntimeOptions
{
    public const string FunctionTimeoutSetting = HostJsonFile.Prefix + ":functionTimeout";
    public const string MessageLeaseSetting = "FunctionsJobs:QueueMessageLease";
    public const string DrainTimeoutSetting = "FunctionsJobs:DrainTimeout";
    public const string FunctionTimeoutGraceSetting = "FunctionsJobs:FunctionTimeoutGrace";

    /// <summary>
    /// host.json <c>functionTimeout</c>: how long one invocation, queue message or timer run, may
    /// take before it is cancelled as failed. Null when unbounded (<c>-1</c> or absent).
    /// </summary>
    public TimeSpan? FunctionTimeout { get; init; }

    /// <summary>
    /// How long an invocation may go on once it was cancelled (<c>functionTimeout</c>, a lost lock,
    /// shutdown) before the Host abandons it: stops renewing its message lease or timer lock and frees
    /// its slot (<c>FunctionsJobs:FunctionTimeoutGrace</c>). Functions restarts the host instead.
    /// </summary>
    public TimeSpan FunctionTimeoutGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a received queue message stays hidden; renewed at half while its handler runs. After
    /// a crash, this is how long the message waits before another instance sees it. Functions uses
    /// 10 minutes; the Host makes it a setting (<c>FunctionsJobs:QueueMessageLease</c>).
    /// </summary>
    public TimeSpan MessageLease { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>On shutdown, how long in-flight work may run before it is cancelled (<c>FunctionsJobs:DrainTimeout</c>).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static HostRuntimeOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new HostRuntimeOptions
        {
            FunctionTimeout = ReadFunctionTimeout(configuration),
            FunctionTimeoutGrace = configuration.GetTimeSpan(FunctionTimeoutGraceSetting, TimeSpan.FromSeconds(30), TimeSpan.Zero),
            MessageLease = configuration.GetTimeSpan(MessageLeaseSetting, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2)),
            DrainTimeout = configuration.GetTimeSpan(DrainTimeoutSetting, TimeSpan.FromSeconds(30), TimeSpan.Zero),
        };
    }

    private static TimeSpan? ReadFunctionTimeout(IConfiguration configuration)
    {
        // Functions writes "no limit" as -1 (Premium and Dedicated plans); the Host has no plan limit to enforce.
        var value = configuration[FunctionTimeoutSetting];
        if (value is null || value.Trim() == "-1")
        {
            return null;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero
            ? timeout
            : throw new InvalidSettingException("host.json functionTimeout", $"must be a positive time span written as hh:mm:ss, or -1, not '{value}'");
    }
}
