using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Writes blob events to the thumbnail events queue, base64 JSON as the Functions queue trigger
/// reads it: what the upload route and the scan use where Azure would have Event Grid.
/// </summary>
public sealed class ThumbnailEvents
{
    private readonly QueueClient _queue;
    private readonly CreateOnce _created;
    private readonly IQueueSendObserver _sent;

    public ThumbnailEvents(StorageAccount storage, ThumbnailSettings settings, IQueueSendObserver sent)
    {
        _queue = storage.Queues.GetQueueClient(settings.EventsQueue);
        _sent = sent;
        _created = new CreateOnce(ct => _queue.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    public string QueueName => _queue.Name;

    public Task<SendReceipt> SendAsync(BlobEvent blobEvent, CancellationToken cancellationToken) => SendAsync(blobEvent, null, cancellationToken);

    /// <param name="hiddenFor">How long the event stays invisible: a fallback for work being done in-process.</param>
    public async Task<SendReceipt> SendAsync(BlobEvent blobEvent, TimeSpan? hiddenFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobEvent);
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        using var send = FunctionsJobsTelemetry.StartSend(_queue.Name);
        var traced = blobEvent with { TraceParent = FunctionsJobsTelemetry.CurrentTraceParent() ?? blobEvent.TraceParent };
        var receipt = (await _queue.SendMessageAsync(JsonSerializer.Serialize(traced, JobJson.Options), hiddenFor, null, cancellationToken).ConfigureAwait(false)).Value;
        _sent.Sent(_queue.Name, hiddenFor);
        return receipt;
    }

    /// <summary>Deletes an event this process sent and no longer needs; false when a listener has received it since.</summary>
    public async Task<bool> TryDeleteAsync(SendReceipt sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sent);
        try
        {
            await _queue.DeleteMessageAsync(sent.MessageId, sent.PopReceipt, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            return false;
        }
    }
}
