using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Writes blob events to the thumbnail events queue, base64 JSON as the Functions queue trigger
/// reads it: what the upload route and the scan use where Azure would have Event Grid.
/// </summary>
public sealed class ThumbnailEvents
{
    private readonly QueueClient _queue;
    private readonly CreateOnce _created;

    public ThumbnailEvents(StorageAccount storage, ThumbnailSettings settings)
    {
        _queue = storage.Queues.GetQueueClient(settings.EventsQueue);
        _created = new CreateOnce(ct => _queue.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    public string QueueName => _queue.Name;

    public async Task SendAsync(BlobEvent blobEvent, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _queue.SendMessageAsync(JsonSerializer.Serialize(blobEvent, JobJson.Options), cancellationToken).ConfigureAwait(false);
    }
}
