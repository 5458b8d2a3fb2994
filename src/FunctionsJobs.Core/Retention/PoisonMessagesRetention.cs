using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Retention;

/// <summary>
/// Poison messages older than <c>RetentionPoisonMessagesDays</c>, with their recorded reasons, and
/// reasons whose message is long gone (queue messages expire by themselves; reasons do not).
/// A queue message can only be deleted by receiving it, so each poison queue is received with a
/// short visibility: old messages are deleted, young ones are put back (visible again) at the end
/// of the pass. A crash mid-pass costs nothing but the short visibility.
/// </summary>
public sealed partial class PoisonMessagesRetention(
    StorageAccount storage, IPoisonQueueCatalog queues, IConfiguration configuration, ILogger<PoisonMessagesRetention> logger) : IRetentionSource
{
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(30);
    private readonly TableClient _reasons = storage.Tables.GetTableClient(configuration.GetSetting(PoisonQueueNaming.ReasonsTableSetting, PoisonQueueNaming.DefaultReasonsTable));

    public string Name => "poison-messages";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, RetentionSettings.PoisonMessagesDaysSetting, RetentionSettings.DefaultPoisonMessagesDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        long deleted = 0;
        foreach (var name in await queues.ListPoisonQueuesAsync(cancellationToken).ConfigureAwait(false))
        {
            var count = await PurgeQueueAsync(storage.RawQueues.GetQueueClient(name), cutoff, progress, cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                LogQueuePurged(name, count);
            }

            deleted += count;
        }

        return deleted + await PurgeOrphanedReasonsAsync(cutoff, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> PurgeQueueAsync(QueueClient queue, DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        long deleted = 0;
        var young = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(32, Visibility, cancellationToken).ConfigureAwait(false)).Value;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    return deleted;
                }

                var progressed = false;
                foreach (var message in batch)
                {
                    if (message.InsertedOn is { } inserted && inserted < cutoff)
                    {
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                        await DeleteReasonAsync(queue.Name, message.MessageId, cancellationToken).ConfigureAwait(false);
                        deleted++;
                        progress.Add(1);
                        progressed = true;
                    }
                    else
                    {
                        // Seen again once its visibility ran out: keep only its newest receipt.
                        progressed |= young.TryAdd(message.MessageId, message.PopReceipt);
                        young[message.MessageId] = message.PopReceipt;
                    }
                }

                // An empty batch, or one of young messages seen before: every message has been looked at.
                if (!progressed)
                {
                    return deleted;
                }
            }
        }
        finally
        {
            foreach (var (messageId, popReceipt) in young)
            {
                try
                {
                    await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Its receipt is stale (someone else received it since): it is theirs, not lost.
                }
            }
        }
    }

    private async Task<long> PurgeOrphanedReasonsAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PoisonedAt lt {cutoff}");
        var deleted = await RetentionTables.DeleteMatchingAsync(_reasons, filter, progress, cancellationToken).ConfigureAwait(false);

        if (deleted > 0)
        {
            LogReasonsPurged(_reasons.Name, deleted);
        }

        return deleted;
    }

    private async Task DeleteReasonAsync(string poisonQueue, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            await _reasons.DeleteEntityAsync(poisonQueue, messageId, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table or no record for this message.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} old messages from poison queue {QueueName}")]
    private partial void LogQueuePurged(string queueName, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} old poison reasons from table {TableName}")]
    private partial void LogReasonsPurged(string tableName, long count);
}
