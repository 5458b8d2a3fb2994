using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>An event staged in the callbacks queue, hidden until <see cref="CallbackOutbox.ReleaseAsync"/>.</summary>
public sealed record StagedCallback(CallbackMessage Message, string MessageId, string PopReceipt);

/// <summary>
/// The durable outbox of callbacks, kept in the callbacks queue. A writer about to store a
/// terminal state first stages its event there, hidden for <see cref="CallbackSettings.RecoveryDelay"/>;
/// once the state is stored it releases it (visible at once, marked committed). So the event is
/// durable before the state change is: a process killed in between leaves a hidden message that
/// surfaces by itself, and its delivery reads the resource to see whether the change was stored.
/// Two requests per event; none for a resource without a callback.
/// </summary>
public sealed partial class CallbackOutbox
{
    private readonly QueueClient _queue;
    private readonly CreateOnce _created;
    private readonly CallbackSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<CallbackOutbox> _logger;
    private readonly IQueueSendObserver _sent;

    public CallbackOutbox(StorageAccount storage, CallbackSettings settings, TimeProvider time, ILogger<CallbackOutbox> logger, IQueueSendObserver sent)
    {
        _sent = sent;
        ArgumentNullException.ThrowIfNull(storage);
        _queue = storage.Queues.GetQueueClient(settings.QueueName);
        _created = new CreateOnce(ct => _queue.CreateIfNotExistsAsync(cancellationToken: ct));
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    /// <summary>Queues the event of a state change about to be stored, hidden; null when the resource has no target.</summary>
    public async Task<StagedCallback?> StageAsync(CallbackTarget? target, CallbackResource resource, CallbackEvent? callbackEvent, CancellationToken cancellationToken)
    {
        if (target is null || callbackEvent is null)
        {
            return null;
        }

        var message = new CallbackMessage(callbackEvent, target, resource, Committed: false, Attempt: 1, Deadline: callbackEvent.Timestamp + _settings.MaxAge);
        var sent = await SendAsync(message, _settings.RecoveryDelay, cancellationToken).ConfigureAwait(false);
        return new StagedCallback(message, sent.MessageId, sent.PopReceipt);
    }

    /// <summary>
    /// The state change is stored: the event becomes visible now, marked committed so its delivery
    /// does not read the resource again. A failure here only delays it to the end of its hiding.
    /// </summary>
    public async Task ReleaseAsync(StagedCallback? staged)
    {
        if (staged is null)
        {
            return;
        }

        try
        {
            await _queue.UpdateMessageAsync(staged.MessageId, staged.PopReceipt, Serialize(staged.Message with { Committed = true }), TimeSpan.Zero).ConfigureAwait(false);
            _sent.Sent(_queue.Name);
        }
        catch (RequestFailedException ex)
        {
            LogReleaseFailed(ex, staged.Message.Event.Id, _settings.RecoveryDelay);
        }
    }

    /// <summary>Queues a message to be handled after <paramref name="delay"/>: the next try of an event, or a replay.</summary>
    public Task ScheduleAsync(CallbackMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        SendAsync(message, delay <= TimeSpan.Zero ? null : delay, cancellationToken);

    /// <summary>The deadline of an event tried afresh from now (a replay from the dead letters).</summary>
    public DateTimeOffset FreshDeadline() => _time.GetUtcNow() + _settings.MaxAge;

    public static string Serialize(CallbackMessage message) => JsonSerializer.Serialize(message, JobJson.Options);

    private async Task<SendReceipt> SendAsync(CallbackMessage message, TimeSpan? hiddenFor, CancellationToken cancellationToken)
    {
        var receipt = await _created.RunAsync(
            async () => (await _queue.SendMessageAsync(Serialize(message), hiddenFor, null, cancellationToken).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);
        _sent.Sent(_queue.Name, hiddenFor);
        return receipt;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback {EventId}: its state is stored but the event could not be released; it is delivered after its hiding ({RecoveryDelay})")]
    private partial void LogReleaseFailed(Exception exception, string eventId, TimeSpan recoveryDelay);
}
