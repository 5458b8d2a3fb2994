using Azure;
using Azure.Storage.Blobs.Models;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Thumbnails whose source image is gone, written before the cutoff (<c>RetentionOrphanedThumbnailsDays</c>),
/// and the status records of deleted images last written before it. Normally the handler removes
/// thumbnails as soon as it sees their source gone; this catches what it could not (a crash between
/// recording the deletion and deleting the blobs, thumbnails of an id that has no record). An id
/// with any source blob is never touched, and neither is a thumbnail younger than the cutoff, so a
/// set being written right now, for a fresh upload or a re-upload under a deleted name, stays.
/// </summary>
public sealed partial class OrphanedThumbnailsRetention(
    ThumbnailBlobs blobs, ThumbnailStatusStore store, IConfiguration configuration, ILogger<OrphanedThumbnailsRetention> logger) : IRetentionSource
{
    public string Name => "orphaned-thumbnails";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(
        configuration, ThumbnailReconciliationSettings.OrphanedThumbnailsDaysSetting, ThumbnailReconciliationSettings.DefaultOrphanedThumbnailsDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        long deleted = 0;

        // Listed in name order, so the blobs of one image id ({id}/{version}/{size}.jpg) come together.
        string? id = null;
        var old = new List<string>();
        try
        {
            await foreach (var blob in blobs.Thumbnails.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken).ConfigureAwait(false))
            {
                var blobId = blob.Name.Split('/', 2)[0];
                if (blobId != id)
                {
                    deleted += await PurgeSetAsync(id, old, progress, cancellationToken).ConfigureAwait(false);
                    id = blobId;
                    old.Clear();
                }

                if (blob.Properties.LastModified < cutoff)
                {
                    old.Add(blob.Name);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No thumbnails container: nothing was ever made.
        }

        deleted += await PurgeSetAsync(id, old, progress, cancellationToken).ConfigureAwait(false);
        return deleted + await PurgeRecordsAsync(cutoff, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> PurgeSetAsync(string? id, List<string> names, JobProgress progress, CancellationToken cancellationToken)
    {
        if (id is null || names.Count == 0 || await SourceExistsAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        foreach (var name in names)
        {
            await blobs.Thumbnails.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            progress.Add(1);
        }

        LogThumbnailsPurged(id, names.Count);
        return names.Count;
    }

    private async Task<long> PurgeRecordsAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        long deleted = 0;
        try
        {
            await foreach (var record in store.ListDeletedBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false))
            {
                // ETag-conditional: a handler that recorded new content for the id since keeps its record.
                if (!await SourceExistsAsync(record.Id, cancellationToken).ConfigureAwait(false) && await store.TryDeleteAsync(record, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                    progress.Add(1);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No status table: nothing was ever recorded.
        }

        return deleted;
    }

    /// <summary>Whether any blob of the images container is a source of this id (<c>{id}.{ext}</c>, any extension).</summary>
    private async Task<bool> SourceExistsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var blob in blobs.Images.GetBlobsAsync(BlobTraits.None, BlobStates.None, id + ".", cancellationToken).ConfigureAwait(false))
            {
                if (ImageName.TryParse(blob.Name, out var name, out _) && name.Id == id)
                {
                    return true;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} orphaned thumbnails of image {ImageId}, whose source is gone")]
    private partial void LogThumbnailsPurged(string imageId, int count);
}
