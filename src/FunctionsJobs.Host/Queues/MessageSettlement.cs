using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// What becomes of a received message once its handler is done with it: deleted, made visible
/// again, moved to poison, or left to its lease. Each call stops the lease's renewal first, so it
/// settles with the newest pop receipt, or not at all when the lease was lost (the receipt may be
/// stale). Every storage call has the time the lease has left as its deadline. Failures are told
/// apart by kind and returned as a <see cref="Settlement"/>, never thrown: the caller logs them.
/// </summary>
internal sealed class MessageSettlement(QueueClient queue, MessageLeases leases, IPoisonCopies poison, string functionName, TimeProvider time)
{
    /// <summary>The handler succeeded: delete the message.</summary>
    public async Task<Settlement> CompleteAsync(MessageLease lease)
    {
        if (await StopAsync(lease).ConfigureAwait(false) is not { } deadline)
        {
            return new Settlement(SettleOutcome.LeaseLost);
        }

        using (deadline)
        {
            try
            {
                await queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, deadline.Token).ConfigureAwait(false);
                return new Settlement(SettleOutcome.Deleted);
            }
            catch (Exception ex)
            {
                return Refused(ex);
            }
        }
    }

    /// <summary>Makes the message visible again after <paramref name="visibilityTimeout"/> (a failed delivery, or shutdown).</summary>
    public async Task<Settlement> ReleaseAsync(MessageLease lease, TimeSpan visibilityTimeout)
    {
        if (await StopAsync(lease).ConfigureAwait(false) is not { } deadline)
        {
            return new Settlement(SettleOutcome.LeaseLost);
        }

        using (deadline)
        {
            try
            {
                await queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: visibilityTimeout, cancellationToken: deadline.Token).ConfigureAwait(false);
                return new Settlement(SettleOutcome.Released);
            }
            catch (Exception ex)
            {
                return Refused(ex);
            }
        }
    }

    /// <summary>Stops renewing without settling: the message comes back when its lease runs out.</summary>
    public async Task<Settlement> LetLapseAsync(MessageLease lease)
    {
        await leases.StopAsync(lease).ConfigureAwait(false);
        return new Settlement(lease.LostReason is null ? SettleOutcome.LeftToLapse : SettleOutcome.LeaseLost);
    }

    /// <summary>
    /// Copies the message to poison while its lease is still renewed (a slow copy cannot let it
    /// reappear meanwhile), then deletes it with the newest pop receipt. If it cannot be deleted, the
    /// copy is taken back: the message comes back and is moved again, and poison holds one copy.
    /// </summary>
    public async Task<Settlement> MoveToPoisonAsync(QueueMessage message, MessageLease lease, string reason)
    {
        if (lease.LostReason is not null)
        {
            // It comes back, with one more delivery counted, and is moved then.
            await leases.StopAsync(lease).ConfigureAwait(false);
            return new Settlement(SettleOutcome.LeaseLost);
        }

        PoisonCopy copy;
        try
        {
            copy = await poison.CopyAsync(queue.Name, message, functionName, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Nothing copied: it comes back when its lease runs out and is moved then.
            await leases.StopAsync(lease).ConfigureAwait(false);
            return new Settlement(SettleOutcome.Failed, ex);
        }

        var deleted = await CompleteAsync(lease).ConfigureAwait(false);
        if (deleted.Outcome is SettleOutcome.Deleted or SettleOutcome.AlreadyGone)
        {
            // Gone already (deleted elsewhere, or expired): the copy is the only one left.
            return new Settlement(SettleOutcome.MovedToPoison, Copy: copy);
        }

        try
        {
            await poison.RemoveCopyAsync(copy, CancellationToken.None).ConfigureAwait(false);
            return new Settlement(SettleOutcome.CopyTakenBack, deleted.Error, copy);
        }
        catch (Exception ex)
        {
            return new Settlement(SettleOutcome.PoisonCopyStays, ex, copy);
        }
    }

    private static Settlement Refused(Exception exception) => exception switch
    {
        RequestFailedException refused when QueueErrors.IsTaken(refused) => new Settlement(SettleOutcome.TakenByAnother, exception),
        RequestFailedException refused when QueueErrors.IsGone(refused) => new Settlement(SettleOutcome.AlreadyGone, exception),
        _ => new Settlement(SettleOutcome.Failed, exception),
    };

    /// <summary>Stops the renewal; a deadline for settling (the time the lease has left), or null when the lease was lost.</summary>
    private async Task<CallDeadline?> StopAsync(MessageLease lease)
    {
        await leases.StopAsync(lease).ConfigureAwait(false);
        return lease.LostReason is null ? new CallDeadline(lease.ExpiresAt - time.GetUtcNow(), time) : null;
    }
}

/// <summary>What became of a message the Host was done with.</summary>
internal enum SettleOutcome
{
    /// <summary>Deleted: handled for good.</summary>
    Deleted,

    /// <summary>Visible again after the visibility timeout.</summary>
    Released,

    /// <summary>Copied to poison (reason recorded or logged) and deleted.</summary>
    MovedToPoison,

    /// <summary>No longer renewed: it comes back when its lease runs out.</summary>
    LeftToLapse,

    /// <summary>Not settled: its lease was lost, and a settlement with a possibly stale receipt could misfire. It comes back.</summary>
    LeaseLost,

    /// <summary>Storage no longer has it (deleted elsewhere, expired, its queue gone): 404.</summary>
    AlreadyGone,

    /// <summary>Another consumer received it after its lease ran out: 400 PopReceiptMismatch. Its handler runs again there.</summary>
    TakenByAnother,

    /// <summary>Storage failed (5xx, the network, the deadline): it comes back when its lease runs out.</summary>
    Failed,

    /// <summary>Copied to poison but not deleted; the copy was taken back, and the message is moved when it comes back.</summary>
    CopyTakenBack,

    /// <summary>Copied to poison, not deleted, and the copy could not be taken back: poison may get a second copy.</summary>
    PoisonCopyStays,
}

/// <param name="Error">What storage said, when it refused or failed.</param>
/// <param name="Copy">The poison copy, for a move.</param>
internal readonly record struct Settlement(SettleOutcome Outcome, Exception? Error = null, PoisonCopy? Copy = null);

/// <summary>The poison side of a move: copy a message to poison (with its reason), or take a copy back.</summary>
internal interface IPoisonCopies
{
    Task<PoisonCopy> CopyAsync(string queueName, QueueMessage message, string functionName, string reason, CancellationToken cancellationToken);

    Task RemoveCopyAsync(PoisonCopy copy, CancellationToken cancellationToken);
}
