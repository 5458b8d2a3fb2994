using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>What every phase shares: the counting account, fresh queues, concurrent pre-filling and a quiet Host.</summary>
internal static class BenchStorage
{
    public const string BatchSize = "AzureFunctionsJobHost:extensions:queues:batchSize";
    public const string NewBatchThreshold = "AzureFunctionsJobHost:extensions:queues:newBatchThreshold";
    public const string MaxPollingInterval = "AzureFunctionsJobHost:extensions:queues:maxPollingInterval";
    public const string DrainTimeout = "FunctionsJobs:DrainTimeout";

    /// <summary>The listener's default lease (HostRuntimeOptions.MessageLease); the baseline receives with it too.</summary>
    public static readonly TimeSpan MessageLease = TimeSpan.FromMinutes(10);

    /// <summary>The repository's host.json maxPollingInterval: what a deployed Host polls an empty queue with.</summary>
    public static TimeSpan HostJsonMaxPollingInterval { get; } = TimeSpan.Parse(
        FunctionsJobs.Host.Configuration.HostJsonFile.Read(Path.Combine(FunctionsJobs.Testing.RepositoryPaths.Root, "host.json"))[MaxPollingInterval]!,
        System.Globalization.CultureInfo.InvariantCulture);

    public static StorageAccount CountingAccount(string connectionString, HttpPipelinePolicy counter)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SettingNames.Storage] = connectionString })
            .Build();
        return StorageAccount.FromConfiguration(configuration, configureClients: o => o.AddPolicy(counter, HttpPipelinePosition.PerCall));
    }

    /// <summary>A queue of its own per phase, so no phase sees another's leftovers.</summary>
    public static string NewQueueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>
    /// Creates the queue and sends the bodies 32 at a time: setting up is not what is measured, so it
    /// should be quick. With <paramref name="visibleAt"/>, every message stays hidden until then, so
    /// they all appear at once, after whatever was started meanwhile has settled.
    /// </summary>
    public static async Task FillAsync(StorageAccount account, string queueName, IEnumerable<string> bodies, DateTimeOffset? visibleAt = null)
    {
        // The base64 client, as the Functions queue extension writes, so the Host's decoder accepts them.
        var queue = account.Queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (body, ct) =>
        {
            var hidden = visibleAt - DateTimeOffset.UtcNow;
            await queue.SendMessageAsync(body, hidden > TimeSpan.Zero ? hidden : null, null, ct);
        });
    }

    /// <summary>Drops a finished phase's queue, so Azurite does not carry its messages into later rounds.</summary>
    public static Task DeleteAsync(StorageAccount account, string queueName) => account.RawQueues.GetQueueClient(queueName).DeleteIfExistsAsync();

    /// <summary>
    /// Swaps in the counting account and keeps the console to warnings: the Host's start-up lines
    /// would bury the figures, while a warning (a failed delete or release) is worth seeing.
    /// </summary>
    public static void Configure(WebApplicationBuilder builder, StorageAccount account)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton(account));
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
    }
}
