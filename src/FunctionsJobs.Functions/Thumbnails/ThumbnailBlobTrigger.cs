using Azure.Storage.Blobs;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// Azure: a blob landing in the images container, announced by an Event Grid subscription (no
/// container polling). Returning completes it; throwing (storage outage) makes the blob extension
/// retry. Bad content is recorded as Failed by the handler and returns normally. On the Host the
/// events queue (<see cref="ThumbnailBlobEvents"/>) and the scan play this part.
/// </summary>
public sealed class ThumbnailBlobTrigger(ThumbnailHandler handler)
{
    [Function(nameof(ThumbnailBlobTrigger))]
    public async Task RunAsync(
        [BlobTrigger("%" + ThumbnailSettings.ImagesContainerSetting + "%/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
    {
        await handler.HandleAsync(new BlobNotice(blob.BlobContainerName, name), cancellationToken);
    }
}
