using FunctionsJobs.Core.Queues;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Delivers one event of the callbacks queue, one try per message: the queue function
/// <c>DeliverCallback</c> of both runtimes. A failed try does not throw (which would retry on the
/// queue's fixed schedule and poison after five): it queues the next try, hidden for its backoff,
/// and completes this message; past <see cref="CallbackMessage.Deadline"/>, or when a try can never
/// succeed, the event is dead-lettered. Every try sends the same event id and body, so the second
/// delivery of a message, or a duplicate of an event, is one more POST a receiver recognises by its
/// <c>webhook-id</c>.
/// </summary>
public sealed partial class CallbackDelivery(
    CallbackSettings settings, CallbackCommits commits, CallbackHttpSender http, ReplyQueueSender replies, ReceiverSlots slots,
    CallbackOutbox outbox, CallbackDeadLetters deadLetters, TimeProvider time, ILogger<CallbackDelivery> logger) : IQueueHandler<CallbackMessage>
{
    public const string FunctionName = "DeliverCallback";

    /// <summary>The first wait of an event whose receiver is busy; it doubles with each further wait.</summary>
    private static readonly TimeSpan BusyWait = TimeSpan.FromMilliseconds(250);

    public async Task HandleAsync(CallbackMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Committed && !await CheckCommittedAsync(message, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        SendResult result;
        if (message.Target.Url is { } url)
        {
            using var slot = slots.TryEnter(url);
            if (slot is null)
            {
                // Its receiver's slots are taken: come back later without holding a worker, a little
                // later each time, up to one try's time (a receiver that hangs is not asked every moment).
                var wait = TimeSpan.FromMilliseconds(Math.Min(BusyWait.TotalMilliseconds * Math.Pow(2, Math.Min(message.Waits, 16)), settings.Timeout.TotalMilliseconds)
                    * (0.5 + Random.Shared.NextDouble()));
                LogReceiverBusy(message.Event.Id, message.Target.Describe(), wait);
                await outbox.ScheduleAsync(message with { Committed = true, Waits = message.Waits + 1 }, wait, cancellationToken).ConfigureAwait(false);
                return;
            }

            result = await http.SendAsync(url, message.Event, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            result = await replies.SendAsync(message.Target.ReplyTo!, message.Event, cancellationToken).ConfigureAwait(false);
        }

        if (result.Delivered)
        {
            LogDelivered(message.Event.Id, message.Event.Type, message.Event.Data.Id, message.Target.Describe(), message.Attempt, time.GetUtcNow() - message.Event.Timestamp);
            return;
        }

        var now = time.GetUtcNow();
        if (result.Permanent || now >= message.Deadline)
        {
            var reason = result.Permanent ? result.Detail : $"still failing after {message.Attempt} tries over {settings.MaxAge}: {result.Detail}";
            await deadLetters.AddAsync(message, reason, now, cancellationToken).ConfigureAwait(false);
            LogDeadLettered(message.Event.Id, message.Event.Type, message.Event.Data.Id, message.Target.Describe(), message.Attempt, reason);
            return;
        }

        var delay = settings.RetryDelay(message.Attempt, Random.Shared.NextDouble());
        if (result.RetryAfter is { } asked && asked > delay)
        {
            delay = asked < settings.MaxRetryDelay ? asked : settings.MaxRetryDelay;
        }

        // The last try comes at the deadline, not after it.
        if (now + delay > message.Deadline)
        {
            delay = message.Deadline - now;
        }

        LogRetrying(message.Event.Id, message.Target.Describe(), message.Attempt, result.Detail, delay);
        await outbox.ScheduleAsync(message with { Committed = true, Attempt = message.Attempt + 1 }, delay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For an event staged but never released: true when its state change was stored (deliver it);
    /// otherwise it is dropped (another state was stored) or looked at again later.
    /// </summary>
    private async Task<bool> CheckCommittedAsync(CallbackMessage message, CancellationToken cancellationToken)
    {
        switch (await commits.CheckAsync(message.Resource, cancellationToken).ConfigureAwait(false))
        {
            case CommitState.Committed:
                LogRecovered(message.Event.Id, message.Resource.Kind, message.Resource.Id);
                return true;
            case CommitState.Pending when time.GetUtcNow() < message.Deadline:
                await outbox.ScheduleAsync(message, settings.RecoveryDelay, cancellationToken).ConfigureAwait(false);
                return false;
            default:
                LogVoid(message.Event.Id, message.Resource.Kind, message.Resource.Id, message.Event.Data.Status);
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback {EventId} ({EventType} of {ResourceId}) delivered to {Target} on try {Attempt}, {Latency} after the change")]
    private partial void LogDelivered(string eventId, string eventType, string resourceId, string target, int attempt, TimeSpan latency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback {EventId} to {Target}: try {Attempt} failed ({Detail}); next try in {Delay}")]
    private partial void LogRetrying(string eventId, string target, int attempt, string detail, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Callback {EventId} ({EventType} of {ResourceId}) to {Target} dead-lettered after {Attempt} tries: {Reason}")]
    private partial void LogDeadLettered(string eventId, string eventType, string resourceId, string target, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Callback {EventId} to {Target}: the receiver has every slot busy; waiting {Wait}")]
    private partial void LogReceiverBusy(string eventId, string target, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback {EventId}: its writer did not release it, but {Kind} {ResourceId} is stored in its state; delivering")]
    private partial void LogRecovered(string eventId, string kind, string resourceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback {EventId}: {Kind} {ResourceId} was not stored as {Status}; the event is dropped")]
    private partial void LogVoid(string eventId, string kind, string resourceId, string status);
}
