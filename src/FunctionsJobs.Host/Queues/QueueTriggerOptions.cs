using System.Globalization;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// The queue-trigger semantics of Azure Functions, read from <c>host.json</c>
/// <c>extensions.queues</c> with the same names and defaults, plus the Host's own lease and drain settings.
/// </summary>
public sealed record QueueTriggerOptions
{
    public const string Section = HostJsonFile.Prefix + ":extensions:queues";

    /// <summary>Messages fetched per receive (Azure Storage allows at most 32).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>A new batch is fetched once the number of messages still running drops to this.</summary>
    public int NewBatchThreshold { get; init; } = 8;

    /// <summary>The longest wait between polls of an empty queue.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before its retry.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Deliveries before a failing message moves to <c>&lt;queue&gt;-poison</c>.</summary>
    public int MaxDequeueCount { get; init; } = 5;

    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>
    /// How long a received message stays hidden; renewed at half while its handler runs. After a
    /// crash, this is how long the message waits before another instance sees it. Functions uses
    /// 10 minutes; the Host makes it a setting (<c>FunctionsJobs:QueueMessageLease</c>).
    /// </summary>
    public TimeSpan MessageLease { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>On shutdown, how long in-flight handlers may run before they are cancelled (<c>FunctionsJobs:DrainTimeout</c>).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

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

    public const string FunctionTimeoutSetting = HostJsonFile.Prefix + ":functionTimeout";

    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    public static QueueTriggerOptions FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var batchSize = ReadInt(section, "batchSize", 16, 1, 32);
        return new QueueTriggerOptions
        {
            BatchSize = batchSize,
            NewBatchThreshold = ReadInt(section, "newBatchThreshold", batchSize / 2, 0, 1000),
            MaxPollingInterval = ReadTimeSpan(section, "maxPollingInterval", TimeSpan.FromMinutes(1), MinPollingInterval),
            VisibilityTimeout = ReadTimeSpan(section, "visibilityTimeout", TimeSpan.Zero, TimeSpan.Zero),
            MaxDequeueCount = ReadInt(section, "maxDequeueCount", 5, 1, 1000),
            MessageEncoding = ReadEncoding(section),
            MessageLease = configuration.GetTimeSpan("FunctionsJobs:QueueMessageLease", TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2)),
            DrainTimeout = configuration.GetTimeSpan("FunctionsJobs:DrainTimeout", TimeSpan.FromSeconds(30), TimeSpan.Zero),
            FunctionTimeout = ReadFunctionTimeout(configuration),
            FunctionTimeoutGrace = configuration.GetTimeSpan("FunctionsJobs:FunctionTimeoutGrace", TimeSpan.FromSeconds(30), TimeSpan.Zero),
        };
    }

    private static string Name(string key) => $"host.json extensions.queues.{key}";

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

    private static int ReadInt(IConfigurationSection section, string key, int fallback, int min, int max) =>
        SettingValue.Whole<int>(section[key], Name(key), fallback, min, max);

    private static TimeSpan ReadTimeSpan(IConfigurationSection section, string key, TimeSpan fallback, TimeSpan min) =>
        SettingValue.Duration(section[key], Name(key), fallback, min);

    private static QueueMessageEncoding ReadEncoding(IConfigurationSection section)
    {
        var value = section["messageEncoding"];
        return value?.ToLowerInvariant() switch
        {
            null or "base64" => QueueMessageEncoding.Base64,
            "none" => QueueMessageEncoding.None,
            _ => throw new InvalidSettingException(Name("messageEncoding"), $"must be 'base64' or 'none', not '{value}'"),
        };
    }
}
