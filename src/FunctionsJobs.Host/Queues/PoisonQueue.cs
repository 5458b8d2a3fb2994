using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// <c>&lt;queue&gt;-poison</c>: where a message goes when it cannot be handled, with its content
/// unchanged. The reason is kept beside it in a table (keyed by poison queue and poison message
/// id), because the message itself must stay byte-identical for a replay.
/// </summary>
public sealed class PoisonQueue(StorageAccount storage, IConfiguration configuration, TimeProvider time, ILogger<PoisonQueue> logger)
{
    public const string Suffix = PoisonQueueNaming.Suffix;
    public const string ReasonsTableSetting = PoisonQueueNaming.ReasonsTableSetting;
    private const int MaxReasonLength = 2000;

    private readonly TableClient _reasons = storage.Tables.GetTableClient(configuration.GetSetting(ReasonsTableSetting, PoisonQueueNaming.DefaultReasonsTable));
    private readonly ConcurrentDictionary<string, Task> _created = new();

    public static string NameFor(string queueName) => queueName + Suffix;

    /// <summary>
    /// Moves a received message to poison: copy first, then delete, so a crash in between leaves
    /// a duplicate in poison rather than a lost message.
    /// </summary>
    public async Task MoveAsync(QueueClient source, QueueMessage message, string popReceipt, string functionName, string reason, CancellationToken cancellationToken)
    {
        var poisonName = NameFor(source.Name);
        var poison = storage.RawQueues.GetQueueClient(poisonName);
        await EnsureCreatedAsync(poisonName, () => poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        var receipt = await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);

        await EnsureCreatedAsync("table:" + _reasons.Name, () => _reasons.CreateIfNotExistsAsync(cancellationToken)).ConfigureAwait(false);
        var entity = new TableEntity(poisonName, receipt.Value.MessageId)
        {
            ["FunctionName"] = functionName,
            ["OriginalMessageId"] = message.MessageId,
            ["DequeueCount"] = message.DequeueCount,
            ["Reason"] = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason,
            ["PoisonedAt"] = time.GetUtcNow(),
        };
        await _reasons.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

        await source.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken).ConfigureAwait(false);
        logger.LogWarning(
            "Moved message {MessageId} of queue {QueueName} to {PoisonQueueName} as {PoisonMessageId} after {DequeueCount} deliveries: {Reason}",
            message.MessageId, source.Name, poisonName, receipt.Value.MessageId, message.DequeueCount, reason);
    }

    /// <summary>Shows up to <paramref name="max"/> poison messages without hiding them, each with its recorded reason.</summary>
    public async Task<IReadOnlyList<PoisonMessage>> PeekAsync(string queueName, int max, CancellationToken cancellationToken)
    {
        var poisonName = NameFor(queueName);
        var poison = storage.RawQueues.GetQueueClient(poisonName);
        PeekedMessage[] peeked;
        try
        {
            peeked = (await poison.PeekMessagesAsync(Math.Clamp(max, 1, 32), cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }

        var result = new List<PoisonMessage>(peeked.Length);
        foreach (var message in peeked)
        {
            var reason = await ReadReasonAsync(poisonName, message.MessageId, cancellationToken).ConfigureAwait(false);
            result.Add(new PoisonMessage(
                message.MessageId,
                message.InsertedOn,
                message.Body.ToString(),
                reason?.GetString("FunctionName"),
                reason?.GetString("OriginalMessageId"),
                reason?.GetString("Reason"),
                reason?.GetDateTimeOffset("PoisonedAt")));
        }

        return result;
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> poison messages back to their queue. Each message is
    /// hidden while it moves, so two replays at once never move the same message twice; it is
    /// sent before it is deleted, so nothing is lost.
    /// </summary>
    public async Task<int> ReplayAsync(string queueName, int max, CancellationToken cancellationToken)
    {
        var poisonName = NameFor(queueName);
        var poison = storage.RawQueues.GetQueueClient(poisonName);
        var target = storage.RawQueues.GetQueueClient(queueName);
        var moved = 0;
        while (moved < max)
        {
            QueueMessage[] batch;
            try
            {
                batch = (await poison.ReceiveMessagesAsync(Math.Min(32, max - moved), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                break;
            }

            if (batch.Length == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                await target.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                await DeleteReasonAsync(poisonName, message.MessageId, cancellationToken).ConfigureAwait(false);
                moved++;
            }
        }

        if (moved > 0)
        {
            logger.LogInformation("Replayed {Count} messages from {PoisonQueueName} to {QueueName}", moved, poisonName, queueName);
        }

        return moved;
    }

    private async Task<TableEntity?> ReadReasonAsync(string poisonName, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _reasons.GetEntityIfExistsAsync<TableEntity>(poisonName, messageId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? response.Value : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task DeleteReasonAsync(string poisonName, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            await _reasons.DeleteEntityAsync(poisonName, messageId, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table or no record: nothing to clean.
        }
    }

    private async Task EnsureCreatedAsync(string key, Func<Task> create)
    {
        var task = _created.GetOrAdd(key, _ => create());
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            // A failed creation (storage down) must be tried again next time, not remembered.
            _created.TryRemove(new KeyValuePair<string, Task>(key, task));
            throw;
        }
    }
}

/// <summary>A poison message as an operator sees it.</summary>
public sealed record PoisonMessage(
    string MessageId, DateTimeOffset? InsertedOn, string Body, string? FunctionName, string? OriginalMessageId, string? Reason, DateTimeOffset? PoisonedAt);
