using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

/// <param name="Listed">Blobs in the images container.</param>
/// <param name="Enqueued">Events queued for blobs no record covers (new, changed, stuck Pending, or deleted).</param>
public sealed record ScanResult(int Listed, int Enqueued);

/// <summary>
/// Catches what no event announced: lists the images container and queues a BlobCreated event for
/// every blob whose current ETag has no receipt (a status record covering it, or a rejected-name
/// record), and a BlobDeleted event for every image whose source is gone. A record still Pending
/// or Processing is left alone for one scan interval, since its event is presumably in the queue.
/// </summary>
public sealed partial class ThumbnailScanner(
    ThumbnailSettings settings, ThumbnailBlobs blobs, ThumbnailStatusStore store, ThumbnailEvents events, TimeProvider time, ILogger<ThumbnailScanner> logger)
{
    public async Task<ScanResult> ScanAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var records = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        await foreach (var record in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            records[record.Id] = record;
        }

        var rejected = await store.ListRejectedAsync(cancellationToken).ConfigureAwait(false);
        var present = new HashSet<string>(StringComparer.Ordinal);
        int listed = 0, enqueued = 0;
        await foreach (var blob in ListImagesAsync(cancellationToken).ConfigureAwait(false))
        {
            listed++;
            present.Add(blob.Name);
            var eTag = ImageRecord.NormalizeETag(blob.Properties.ETag?.ToString());
            if (HasReceipt(blob, eTag, records, rejected, now))
            {
                continue;
            }

            await events.SendAsync(BlobEvent.Create(
                BlobEvent.BlobCreated, blobs.Images.GetBlobClient(blob.Name).Uri, settings.ImagesContainer, blob.Name, eTag,
                blob.Properties.ContentLength, blob.Properties.ContentType, "FunctionsJobs.ThumbnailScan", now), cancellationToken).ConfigureAwait(false);
            enqueued++;
        }

        foreach (var record in records.Values.Where(r => !r.SourceDeleted && !present.Contains(r.SourceBlob) && r.UpdatedAt < now - settings.ScanInterval))
        {
            await events.SendAsync(BlobEvent.Create(
                BlobEvent.BlobDeleted, blobs.Images.GetBlobClient(record.SourceBlob).Uri, settings.ImagesContainer, record.SourceBlob, null,
                null, null, "FunctionsJobs.ThumbnailScan", now), cancellationToken).ConfigureAwait(false);
            enqueued++;
        }

        LogScanned(settings.ImagesContainer, listed, enqueued);
        return new ScanResult(listed, enqueued);
    }

    private bool HasReceipt(BlobItem blob, string? eTag, Dictionary<string, ImageRecord> records, Dictionary<string, RejectedBlob> rejected, DateTimeOffset now)
    {
        if (!ImageName.TryParse(blob.Name, out var name, out _))
        {
            return rejected.TryGetValue(ThumbnailStatusStore.RejectedKey(blob.Name), out var receipt) && receipt.SourceETag == eTag;
        }

        if (!records.TryGetValue(name.Id, out var record))
        {
            return false;
        }

        if (record.Covers(blob.Name, eTag))
        {
            return true;
        }

        var sameContent = string.Equals(record.SourceBlob, blob.Name, StringComparison.Ordinal) && record.SourceETag == eTag;
        if (sameContent && record.Status is ImageStatus.Pending or ImageStatus.Processing && record.UpdatedAt >= now - settings.ScanInterval)
        {
            return true;
        }

        // cat.jpg when the id's record holds newer content from cat.png: superseded, not new.
        return !record.SourceDeleted && !string.Equals(record.SourceBlob, blob.Name, StringComparison.Ordinal)
            && record.SourceLastModified is { } recorded && blob.Properties.LastModified is { } modified && recorded > modified;
    }

    private async IAsyncEnumerable<BlobItem> ListImagesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = blobs.Images.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        await using (pages.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // No images container yet: nothing uploaded, nothing to scan.
                    yield break;
                }

                foreach (var blob in pages.Current.Values)
                {
                    yield return blob;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: scanned container {Container}: {Listed} blobs, {Enqueued} events queued")]
    private partial void LogScanned(string container, int listed, int enqueued);
}
