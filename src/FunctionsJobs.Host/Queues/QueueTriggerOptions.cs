using Azure.Storage.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// The queue-trigger semantics of Azure Functions, read from <c>host.json</c>
/// <c>extensions.queues</c> with the same names and defaults (the Host-wide timeouts and lease: <see cref="HostRuntimeOptions"/>).
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
        };
    }

    private static string Name(string key) => $"host.json extensions.queues.{key}";

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
