using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// Keeps received messages of one queue hidden while they are worked on. One timer for all of them,
/// not one per message, because most messages are settled long before their lease needs renewing: a
/// lease is renewed once half of it has passed, and the timer ticks every eighth. Each renewal has a
/// deadline of half the time the lease has left (at most 30 s), so a renewal that does not answer is given up and
/// tried again while the lease still holds; one refused (another consumer has the message, or it is
/// gone) or not confirmed before the lease ran out marks the lease lost. A lost lease is never settled:
/// its pop receipt may be stale, and the message comes back to be delivered again.
/// </summary>
internal sealed partial class MessageLeases : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestCall = TimeSpan.FromSeconds(30);
    private readonly QueueClient _queue;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<MessageLease, byte> _held = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _renewing = Task.CompletedTask;

    public MessageLeases(QueueClient queue, TimeSpan lease, TimeProvider time, ILogger logger)
    {
        _queue = queue;
        _lease = lease;
        _time = time;
        _logger = logger;
    }

    public void Start() => _renewing = RenewLeasesAsync(_stop.Token);

    /// <summary>Starts keeping <paramref name="message"/> hidden; <paramref name="requestedAt"/> is when its receive was sent.</summary>
    public MessageLease Hold(QueueMessage message, DateTimeOffset requestedAt)
    {
        var lease = new MessageLease(message.MessageId, message.PopReceipt, requestedAt + _lease);
        _held.TryAdd(lease, 0);
        return lease;
    }

    /// <summary>
    /// Stops renewing <paramref name="lease"/> and waits for a renewal in progress, so that the caller
    /// settles with the newest pop receipt, or not at all when the lease was lost.
    /// </summary>
    public async Task<MessageLease> StopAsync(MessageLease lease)
    {
        Task? renewal;
        lock (lease)
        {
            lease.Settled = true;
            renewal = lease.Renewal;
        }

        _held.TryRemove(lease, out _);
        if (renewal is not null)
        {
            await renewal.ConfigureAwait(false);
        }

        return lease;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_lease / 8, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                foreach (var lease in _held.Keys)
                {
                    lock (lease)
                    {
                        if (!lease.Settled && lease.LostReason is null && now >= lease.ExpiresAt - (_lease / 2) && lease.Renewal is not { IsCompleted: false })
                        {
                            lease.Renewal = RenewAsync(lease);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RenewAsync(MessageLease lease)
    {
        while (true)
        {
            string popReceipt;
            DateTimeOffset expiresAt;
            lock (lease)
            {
                if (lease.Settled)
                {
                    return;
                }

                (popReceipt, expiresAt) = (lease.PopReceipt, lease.ExpiresAt);
            }

            var sentAt = _time.GetUtcNow();
            var left = expiresAt - sentAt;
            if (left <= TimeSpan.Zero)
            {
                MarkLost(lease, "its lease ran out before a renewal was confirmed");
                return;
            }

            // Half of what is left (at most LongestCall), so a retry still fits in the other half.
            using var deadline = new CallDeadline(left / 2 < LongestCall ? left / 2 : LongestCall, _time);
            try
            {
                var receipt = await _queue.UpdateMessageAsync(lease.MessageId, popReceipt, visibilityTimeout: _lease, cancellationToken: deadline.Token).ConfigureAwait(false);
                lock (lease)
                {
                    lease.PopReceipt = receipt.Value.PopReceipt;
                    lease.ExpiresAt = sentAt + _lease;
                }

                return;
            }
            catch (RequestFailedException ex) when (QueueErrors.IsTakenOrGone(ex))
            {
                // Another consumer received it after the lease lapsed, or it is gone: not ours to settle.
                MarkLost(lease, $"storage refused the renewal ({ex.ErrorCode})");
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || deadline.Expired)
            {
                // No answer within the deadline, a 5xx, the network. If the renewal went through
                // unanswered, the retry's receipt is stale and storage refuses it: the lease is lost.
                LogRenewFailed(ex, _queue.Name, lease.MessageId);
                var pause = left / 4 < RetryDelay ? left / 4 : RetryDelay;
                await Task.Delay(pause, _time).ConfigureAwait(false);
            }
        }
    }

    private void MarkLost(MessageLease lease, string reason)
    {
        lock (lease)
        {
            lease.LostReason = reason;
        }

        LogLost(_queue.Name, lease.MessageId, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not extend the lease of message {MessageId}; retrying")]
    private partial void LogRenewFailed(Exception exception, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: lost the lease of message {MessageId}: {Reason}; it will not be settled here and is delivered again")]
    private partial void LogLost(string queueName, string messageId, string reason);
}

/// <summary>A received message kept hidden by <see cref="MessageLeases"/>. Its members are read and written under its own lock.</summary>
internal sealed class MessageLease(string messageId, string popReceipt, DateTimeOffset expiresAt)
{
    public string MessageId { get; } = messageId;

    public string PopReceipt { get; set; } = popReceipt;

    /// <summary>When the lease runs out at the earliest: a lease period after the request that set it was sent.</summary>
    /// <summary>Renewed once half of it has passed (<see cref="MessageLeases"/>).</summary>
    public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

    /// <summary>Why the lease is no longer ours, or null while it is.</summary>
    public string? LostReason { get; set; }

    /// <summary>Set once renewing stopped (the work is done, or given up).</summary>
    public bool Settled { get; set; }

    public Task? Renewal { get; set; }
}
