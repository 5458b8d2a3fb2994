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
public sealed partial class PoisonQueue(
    StorageAccount storage, IConfiguration configuration, HostRuntimeOptions options, IQueueSendObserver sends, TimeProvider time, ILogger<PoisonQueue> logger)
    : IPoisonCopies
{
    public const string Suffix = PoisonQueueNaming.Suffix;
    public const string ReasonsTableSetting = PoisonQueueNaming.ReasonsTableSetting;
    private const int MaxReasonLength = 2000;

    /// <summary>How long recording a reason may take: Tables being down must not hold up the move.</summary>
    private static readonly TimeSpan ReasonDeadline = TimeSpan.FromSeconds(30);

    /// <summary>How long a replay keeps the poison messages it works on hidden at a time (renewed while it works).</summary>
    private static readonly TimeSpan LongestReplayLease = TimeSpan.FromMinutes(1);

    private readonly TableClient _reasons = storage.Tables.GetTableClient(configuration.GetSetting(ReasonsTableSetting, PoisonQueueNaming.DefaultReasonsTable));
    private readonly ConcurrentDictionary<string, CreateOnce> _poisonQueues = new(StringComparer.Ordinal);
    private CreateOnce? _reasonsTable;

    public static string NameFor(string queueName) => queueName + Suffix;

    /// <summary>
    /// The first half of a move to poison: a copy of the received message in poison, and the reason
    /// recorded beside it. If Tables cannot take the reason it is logged instead, and the copy stands:
    /// failing here would let the message come back and be copied again. The caller then deletes the
    /// source message, or removes the copy (<see cref="IPoisonCopies.RemoveCopyAsync"/>) when it cannot.
    /// </summary>
    async Task<PoisonCopy> IPoisonCopies.CopyAsync(string queueName, QueueMessage message, string functionName, string reason, CancellationToken cancellationToken)
    {
        var poisonName = NameFor(queueName);
        var poison = storage.RawQueues.GetQueueClient(poisonName);
        await _poisonQueues.GetOrAdd(poisonName, static (_, queue) => new CreateOnce(ct => queue.CreateIfNotExistsAsync(cancellationToken: ct)), poison)
            .EnsureAsync(cancellationToken).ConfigureAwait(false);
        var sent = (await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        var copy = new PoisonCopy(poisonName, sent);

        var entity = new TableEntity(poisonName, sent.MessageId)
        {
            ["FunctionName"] = functionName,
            ["OriginalMessageId"] = message.MessageId,
            ["DequeueCount"] = message.DequeueCount,
            ["Reason"] = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason,
            ["PoisonedAt"] = time.GetUtcNow(),
        };
        using var deadline = new CallDeadline(ReasonDeadline, time, cancellationToken);
        try
        {
            await LazyInitializer.EnsureInitialized(ref _reasonsTable, () => new CreateOnce(ct => _reasons.CreateIfNotExistsAsync(ct))).EnsureAsync(deadline.Token).ConfigureAwait(false);
            await _reasons.UpsertEntityAsync(entity, TableUpdateMode.Replace, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogReasonNotRecorded(ex, poisonName, sent.MessageId, message.MessageId, reason);
        }

        return copy;
    }

    /// <summary>Takes back a copy whose source message could not be deleted: that message comes back and is moved again.</summary>
    async Task IPoisonCopies.RemoveCopyAsync(PoisonCopy copy, CancellationToken cancellationToken)
    {
        await storage.RawQueues.GetQueueClient(copy.PoisonQueueName)
            .DeleteMessageAsync(copy.Receipt.MessageId, copy.Receipt.PopReceipt, cancellationToken).ConfigureAwait(false);
        await DeleteReasonAsync(copy.PoisonQueueName, copy.Receipt.MessageId, cancellationToken).ConfigureAwait(false);
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
    /// Moves up to <paramref name="max"/> poison messages back to their queue. Each message stays
    /// hidden in poison, its lease renewed, until it was sent to its queue and deleted from poison, so
    /// neither a second replay nor any other reader of the poison queue gets it meanwhile, however slow
    /// the sends; it is sent before it is deleted, so nothing is lost. A message that could not be
    /// deleted from poison (its lease was lost) has its new copy taken back, so it stays in one queue.
    /// </summary>
    public async Task<int> ReplayAsync(string queueName, int max, CancellationToken cancellationToken)
    {
        var poisonName = NameFor(queueName);
        var poison = storage.RawQueues.GetQueueClient(poisonName);
        var target = storage.RawQueues.GetQueueClient(queueName);
        var leaseLength = options.MessageLease < LongestReplayLease ? options.MessageLease : LongestReplayLease;
        await using var leases = new MessageLeases(poison, leaseLength, time, logger);
        leases.Start();

        // Replay settles poison messages the way a listener settles its own; it never moves one to poison.
        var settlement = new MessageSettlement(poison, leases, this, functionName: string.Empty, time);
        var moved = 0;
        while (moved < max)
        {
            QueueMessage[] batch;
            var requestedAt = time.GetUtcNow();
            try
            {
                batch = (await poison.ReceiveMessagesAsync(Math.Min(32, max - moved), leaseLength, cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                break;
            }

            if (batch.Length == 0)
            {
                break;
            }

            var held = new Queue<(QueueMessage Message, MessageLease Lease)>(batch.Select(m => (m, leases.Hold(m, requestedAt))));
            try
            {
                while (held.TryPeek(out var next))
                {
                    if (await ReplayOneAsync(poison, target, next.Message, next.Lease, settlement, cancellationToken).ConfigureAwait(false))
                    {
                        moved++;
                    }

                    held.Dequeue();
                }
            }
            finally
            {
                // Stopped early (the request ended, storage failed): what is left becomes visible again at once.
                foreach (var (_, lease) in held)
                {
                    // Refused or failed: it becomes visible when its lease runs out.
                    await settlement.ReleaseAsync(lease, TimeSpan.Zero).ConfigureAwait(false);
                }
            }
        }

        if (moved > 0)
        {
            LogReplayed(moved, poisonName, queueName);
        }

        return moved;
    }

    private async Task<bool> ReplayOneAsync(QueueClient poison, QueueClient target, QueueMessage message, MessageLease lease, MessageSettlement settlement, CancellationToken cancellationToken)
    {
        if (lease.LostReason is not null)
        {
            // Lost while earlier messages of the batch were sent: another reader has it now.
            await settlement.LetLapseAsync(lease).ConfigureAwait(false);
            return false;
        }

        var copy = (await target.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        sends.Sent(target.Name);
        var deleted = await settlement.CompleteAsync(lease).ConfigureAwait(false);
        if (deleted.Outcome is SettleOutcome.Deleted or SettleOutcome.AlreadyGone)
        {
            // Gone from poison (or deleted by someone else, the clean-up): it is in its queue only.
            if (deleted.Outcome == SettleOutcome.Deleted)
            {
                try
                {
                    await DeleteReasonAsync(poison.Name, message.MessageId, CancellationToken.None).ConfigureAwait(false);
                }
                catch (RequestFailedException)
                {
                    // The message is moved; its reason is orphaned, and the retention clean-up removes orphaned reasons.
                }
            }

            return true;
        }

        if (deleted.Error is { } error)
        {
            LogReplayDeleteFailed(error, poison.Name, message.MessageId);
        }

        // Still in poison, under someone else's receipt: take the copy back, so the message is in one queue only.
        try
        {
            await target.DeleteMessageAsync(copy.MessageId, copy.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            LogReplayCopyStays(ex, target.Name, copy.MessageId, poison.Name, message.MessageId);
        }

        return false;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison queue {PoisonQueueName}: could not record why message {PoisonMessageId} (was {OriginalMessageId}) was poisoned; the reason: {Reason}")]
    private partial void LogReasonNotRecorded(Exception exception, string poisonQueueName, string poisonMessageId, string originalMessageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} messages from {PoisonQueueName} to {QueueName}")]
    private partial void LogReplayed(int count, string poisonQueueName, string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison queue {PoisonQueueName}: could not delete replayed message {MessageId}; taking its copy back")]
    private partial void LogReplayDeleteFailed(Exception exception, string poisonQueueName, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {QueueName}: could not take back replayed copy {CopyMessageId}; message {MessageId} of {PoisonQueueName} may be in both queues")]
    private partial void LogReplayCopyStays(Exception exception, string queueName, string copyMessageId, string poisonQueueName, string messageId);
}

/// <summary>A message copied to poison: enough to take the copy back.</summary>
internal sealed record PoisonCopy(string PoisonQueueName, SendReceipt Receipt);

/// <summary>A poison message as an operator sees it.</summary>
public sealed record PoisonMessage(
    string MessageId, DateTimeOffset? InsertedOn, string Body, string? FunctionName, string? OriginalMessageId, string? Reason, DateTimeOffset? PoisonedAt);
