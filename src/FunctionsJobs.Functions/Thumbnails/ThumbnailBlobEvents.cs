using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Telemetry;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// BlobCreated events in Event Grid shape on the thumbnail events queue: what the upload route
/// writes, what an Event Grid subscription with a storage-queue endpoint delivers, and the way to
/// drive the job under <c>func start</c> with Azurite, which has no Event Grid. Same name and
/// handler as the Host's queue function.
/// </summary>
public sealed class ThumbnailBlobEvents(ThumbnailSettings settings, ThumbnailEventHandler handler, QueueFunctionMetrics metrics)
{
    [Function(nameof(ThumbnailBlobEvents))]
    public async Task RunAsync(
        [QueueTrigger("%" + ThumbnailSettings.EventsQueueSetting + "%", Connection = "AzureWebJobsStorage")] string message,
        string id,
        long dequeueCount,
        DateTimeOffset insertionTime,
        CancellationToken cancellationToken)
    {
        // Deserialized here with the house JSON options, so both runtimes read an event the same way;
        // a malformed event throws and ends in <queue>-poison after maxDequeueCount deliveries.
        var blobEvent = JsonSerializer.Deserialize<BlobEvent>(message, JobJson.Options)
            ?? throw new JsonException("the message is JSON null, not a BlobEvent");
        var context = new QueueMessageContext(settings.EventsQueue, id, dequeueCount, insertionTime);
        await metrics.HandleAsync(nameof(ThumbnailBlobEvents), handler, blobEvent, context, cancellationToken);
    }
}
