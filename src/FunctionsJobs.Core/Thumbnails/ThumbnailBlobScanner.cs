using Azure.Storage.Blobs.Models;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

/// <param name="Listed">Blobs in the images container.</param>
/// <param name="Changed">Blobs new, changed or gone since the last pass of this process: the Host's polling resets on any.</param>
/// <param name="Announced">BlobCreated events queued.</param>
/// <param name="Deleted">BlobDeleted events queued.</param>
/// <param name="Busy">Blobs another instance was announcing: looked at again next pass.</param>
public sealed record BlobScanResult(long Listed, int Changed, int Announced, int Deleted, int Busy);

/// <summary>
/// The blob trigger where no event announces blobs (Azurite, <c>func start</c>), with the semantics of
/// the Functions polling blob trigger: each pass lists the images container (5,000 blobs a request)
/// and compares it with what this process has seen, kept in memory as name and ETag. A blob that is
/// new or changed gets a receipt (name + ETag, <see cref="BlobScanReceipts"/>) and, unless its status
/// record already stands for that content, a BlobCreated event on the thumbnail events queue, the
/// one both runtimes consume. A blob seen before and now missing gets a BlobDeleted event, under a
/// receipt of its own. Receipts make each announcement happen once across restarts and instances.
/// After a restart the memory is empty: blobs last modified before the stored watermark (less
/// <see cref="WatermarkSkew"/>) count as handled, the rest are checked against their receipts.
/// Idle, a pass is its listing requests and nothing else. Passes of one process never overlap.
/// </summary>
public sealed partial class ThumbnailBlobScanner(
    ThumbnailSettings settings, ThumbnailBlobs blobs, ThumbnailStatusStore store, ThumbnailEvents events, BlobScanReceipts receipts,
    TimeProvider time, ILogger<ThumbnailBlobScanner> logger)
{
    /// <summary>The most a list request returns.</summary>
    private const int PageSize = 5000;

    // Each new blob costs a few requests that mostly wait: a burst is announced several at a time.
    private const int Parallelism = 16;

    /// <summary>
    /// How far before the watermark a restarted scan still checks receipts: a blob committed while a
    /// pass was listing may carry a Last-Modified older than the newest one that pass saw.
    /// </summary>
    public static readonly TimeSpan WatermarkSkew = TimeSpan.FromMinutes(5);

    // Not disposed: a singleton that lives as long as the process, and a pass may still be ending while the container is disposed.
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Dictionary<string, string?> _seen = new(StringComparer.Ordinal);
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private bool _started;
    private DateTimeOffset? _watermark;

    public async Task<BlobScanResult> ScanAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<BlobScanResult> PassAsync(CancellationToken cancellationToken)
    {
        var firstPass = !_started;
        if (firstPass)
        {
            _watermark = await receipts.ReadWatermarkAsync(settings.ImagesContainer, cancellationToken).ConfigureAwait(false);
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        int changed = 0, announced = 0, busy = 0;
        DateTimeOffset? newest = null, oldestBusy = null;
        var listing = blobs.Images.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, null, cancellationToken).AsPages(null, PageSize);
        await foreach (var page in listing.OrNoneIfMissingAsync(cancellationToken).ConfigureAwait(false))
        {
            var candidates = new List<BlobItem>();
            foreach (var blob in page.Values)
            {
                listed.Add(blob.Name);
                var eTag = ImageRecord.NormalizeETag(blob.Properties.ETag?.ToString());
                var modified = blob.Properties.LastModified;
                if (modified > newest || newest is null)
                {
                    newest = modified;
                }

                if (_seen.TryGetValue(blob.Name, out var known) && known == eTag)
                {
                    continue;
                }

                changed++;
                var handledBeforeStart = firstPass && !_seen.ContainsKey(blob.Name) && _watermark is { } mark && modified < mark - WatermarkSkew;
                var uploadedThroughTheRoute = blob.Metadata.TryGetValue(ThumbnailBlobScanSettings.UploadMarkerKey, out var marked) && marked == blob.Name;
                if (handledBeforeStart || uploadedThroughTheRoute)
                {
                    _seen[blob.Name] = eTag;
                    continue;
                }

                candidates.Add(blob);
            }

            var outcomes = await ForEachAsync(candidates, AnnounceCreatedAsync, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < candidates.Count; i++)
            {
                var blob = candidates[i];
                if (outcomes[i] == Announcement.Busy)
                {
                    busy++;
                    oldestBusy = blob.Properties.LastModified < oldestBusy || oldestBusy is null ? blob.Properties.LastModified : oldestBusy;
                    continue;
                }

                announced += outcomes[i] == Announcement.Queued ? 1 : 0;
                _seen[blob.Name] = ImageRecord.NormalizeETag(blob.Properties.ETag?.ToString());
            }
        }

        // Only a complete listing says what is gone.
        var gone = _seen.Where(s => !listed.Contains(s.Key)).ToList();
        changed += gone.Count;
        var deletions = await ForEachAsync(gone, AnnounceDeletedAsync, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        for (var i = 0; i < gone.Count; i++)
        {
            if (deletions[i] == Announcement.Busy)
            {
                busy++;
                continue;
            }

            deleted += deletions[i] == Announcement.Queued ? 1 : 0;
            _seen.Remove(gone[i].Key);
        }

        _started = true;
        await AdvanceWatermarkAsync(oldestBusy is { } held && held < newest ? held : newest, cancellationToken).ConfigureAwait(false);
        if (announced + deleted > 0)
        {
            LogAnnounced(settings.ImagesContainer, listed.Count, announced, deleted, busy);
        }

        return new BlobScanResult(listed.Count, changed, announced, deleted, busy);
    }

    private async Task<Announcement> AnnounceCreatedAsync(BlobItem blob, CancellationToken cancellationToken)
    {
        var eTag = ImageRecord.NormalizeETag(blob.Properties.ETag?.ToString()) ?? string.Empty;
        var claim = await receipts.ClaimAsync(blob.Name, BlobScanReceipts.CreatedKey(eTag), _owner, cancellationToken).ConfigureAwait(false);
        if (claim.State != ReceiptState.Claimed)
        {
            return claim.State == ReceiptState.Done ? Announcement.AlreadyDone : Announcement.Busy;
        }

        var needed = await NeedsEventAsync(blob.Name, eTag, cancellationToken).ConfigureAwait(false);
        if (needed)
        {
            await events.SendAsync(BlobEvent.Create(
                BlobEvent.BlobCreated, blobs.Images.GetBlobClient(blob.Name).Uri, settings.ImagesContainer, blob.Name, eTag,
                blob.Properties.ContentLength, blob.Properties.ContentType, ThumbnailBlobScanSettings.EventApi, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }

        await receipts.CompleteAsync(claim, cancellationToken).ConfigureAwait(false);
        return needed ? Announcement.Queued : Announcement.AlreadyDone;
    }

    private async Task<Announcement> AnnounceDeletedAsync(KeyValuePair<string, string?> gone, CancellationToken cancellationToken)
    {
        if (!ImageName.TryParse(gone.Key, out _, out _))
        {
            // Nothing was ever made from a name that can never be an image.
            return Announcement.AlreadyDone;
        }

        var claim = await receipts.ClaimAsync(gone.Key, BlobScanReceipts.DeletedKey(gone.Value ?? string.Empty), _owner, cancellationToken).ConfigureAwait(false);
        if (claim.State != ReceiptState.Claimed)
        {
            return claim.State == ReceiptState.Done ? Announcement.AlreadyDone : Announcement.Busy;
        }

        await events.SendAsync(BlobEvent.Create(
            BlobEvent.BlobDeleted, blobs.Images.GetBlobClient(gone.Key).Uri, settings.ImagesContainer, gone.Key, null,
            null, null, ThumbnailBlobScanSettings.EventApi, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await receipts.CompleteAsync(claim, cancellationToken).ConfigureAwait(false);
        return Announcement.Queued;
    }

    /// <summary>
    /// False when the status record already stands for this content: finished (Done with the
    /// configured sizes, or Failed), or in the hands of its own event (Pending, Processing), e.g.
    /// after the receipts were wiped, or when another path announced the blob first.
    /// </summary>
    private async Task<bool> NeedsEventAsync(string blobName, string eTag, CancellationToken cancellationToken)
    {
        if (!ImageName.TryParse(blobName, out var name, out _))
        {
            var rejected = await store.GetRejectedAsync(blobName, cancellationToken).ConfigureAwait(false);
            return rejected?.SourceETag != eTag;
        }

        var record = await store.GetAsync(name.Id, cancellationToken).ConfigureAwait(false);
        var standsForIt = record is { SourceDeleted: false } && record.SourceETag == eTag
            && string.Equals(record.SourceBlob, blobName, StringComparison.Ordinal)
            && (record.Status != ImageStatus.Done || blobs.HasConfiguredSizes(record));
        return !standsForIt;
    }

    /// <summary>Stores how far every blob is handled, when that moved forward: an idle pass writes nothing.</summary>
    private async Task AdvanceWatermarkAsync(DateTimeOffset? handledUpTo, CancellationToken cancellationToken)
    {
        if (handledUpTo is { } value && (_watermark is null || value > _watermark))
        {
            await receipts.WriteWatermarkAsync(settings.ImagesContainer, value, cancellationToken).ConfigureAwait(false);
            _watermark = value;
        }
    }

    private static async Task<Announcement[]> ForEachAsync<T>(IReadOnlyList<T> items, Func<T, CancellationToken, Task<Announcement>> announce, CancellationToken cancellationToken)
    {
        var outcomes = new Announcement[items.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), options, async (i, token) => outcomes[i] = await announce(items[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return outcomes;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: scan of container {Container}: {Listed} blobs, {Announced} announced, {Deleted} deletions announced, {Busy} with another instance")]
    private partial void LogAnnounced(string container, long listed, int announced, int deleted, int busy);

    private enum Announcement
    {
        /// <summary>An event was queued.</summary>
        Queued,

        /// <summary>Nothing to announce: done before, or its record already stands for it.</summary>
        AlreadyDone,

        /// <summary>Another instance holds its receipt: looked at again next pass.</summary>
        Busy,
    }
}
