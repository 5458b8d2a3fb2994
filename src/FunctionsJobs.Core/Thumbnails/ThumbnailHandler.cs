using Azure;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>A blob that may need thumbnails: from a BlobCreated event, a blob trigger or the scan.</summary>
/// <param name="ETag">The ETag the notice saw, if any: lets a repeat be recognised without touching the blob.</param>
/// <param name="Verify">
/// Sent by the reconciliation: a Done record is not taken on trust, its thumbnail blobs are checked
/// (one listing) and a missing size is made again.
/// </param>
public sealed record BlobNotice(string Container, string Name, string? ETag = null, bool Verify = false);

public enum ThumbnailOutcome
{
    /// <summary>Not a blob of the images container.</summary>
    Ignored,

    /// <summary>The name can never be an image; recorded as a rejected blob.</summary>
    Rejected,

    /// <summary>The status already covers this content: no work done.</summary>
    AlreadyDone,

    Done,

    /// <summary>The content can never become thumbnails; status Failed with the reason.</summary>
    Failed,

    /// <summary>The source is gone; recorded, and its thumbnails removed.</summary>
    SourceMissing,

    /// <summary>Newer content for the same image id is already recorded; this one was dropped.</summary>
    Superseded,
}

/// <summary>
/// Makes the thumbnails of one source blob, idempotently. It always works from what is in storage
/// now (the notice only says where to look): the same notice twice, or a scan of content already
/// done, finds the status record covering that ETag and does nothing. New content under a name is
/// written in full to a new version folder before the record flips to it (ETag-conditional), then
/// the older versions are deleted, so a reader going through the record never sees a mix of sizes.
/// Bad content is recorded as Failed and returns normally (the message completes); storage
/// failures throw, so the trigger retries.
/// </summary>
public sealed partial class ThumbnailHandler(
    ThumbnailSettings settings, ThumbnailStatusStore store, ThumbnailBlobs blobs, ThumbnailGenerator generator, ImageDecodeSlots slots,
    ImageCallbacks callbacks, TimeProvider time, ILogger<ThumbnailHandler> logger)
{
    // Each pass re-reads the record and the blob; passes repeat only when another writer changed
    // one of them in between, which a handful of passes always outlasts.
    private const int MaxPasses = 8;

    public async Task<ThumbnailOutcome> HandleAsync(BlobNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (!string.Equals(notice.Container, settings.ImagesContainer, StringComparison.Ordinal))
        {
            LogIgnored(notice.Container, ImageName.Printable(notice.Name));
            return ThumbnailOutcome.Ignored;
        }

        if (!ImageName.TryParse(notice.Name, out var name, out var nameProblem))
        {
            await store.RecordRejectedAsync(notice.Name, ImageRecord.NormalizeETag(notice.ETag), nameProblem, cancellationToken).ConfigureAwait(false);
            LogRejected(ImageName.Printable(notice.Name), nameProblem);
            return ThumbnailOutcome.Rejected;
        }

        return await HandleAsync(name, notice.ETag, notice.Verify, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the thumbnails of an image the upload route has just stored, from the bytes it holds:
    /// no properties read, no download. Otherwise the same steps, records and races as an event.
    /// </summary>
    public async Task<ThumbnailOutcome> HandleUploadAsync(StoredImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!ImageName.TryParse(image.BlobName, out var name, out var nameProblem))
        {
            throw new ArgumentException($"the upload route stored an invalid name: {nameProblem}", nameof(image));
        }

        return await HandleAsync(name, image.ETag.ToString(), false, image, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ThumbnailOutcome> HandleAsync(ImageName name, string? noticeETag, bool verify, StoredImage? uploaded, CancellationToken cancellationToken)
    {
        using var span = FunctionsJobsTelemetry.StartStep("thumbnails make");
        span?.SetTag("functionsjobs.image.id", name.Id);
        for (var pass = 1; ; pass++)
        {
            // The upload's own record is current only on the first pass; a pass repeats because someone changed it.
            var known = pass == 1 ? uploaded?.Pending : null;
            var outcome = await TryOnceAsync(name, noticeETag, verify, uploaded, known, cancellationToken).ConfigureAwait(false);
            if (outcome is { } finished)
            {
                return finished;
            }

            if (pass == MaxPasses)
            {
                // Throwing lets the trigger retry later instead of spinning against a busy writer.
                throw new InvalidOperationException($"image {name.Id}: the status record or blob kept changing for {MaxPasses} passes");
            }
        }
    }

    /// <summary>One pass; null when a concurrent writer changed the record or blob and the pass must start over.</summary>
    private async Task<ThumbnailOutcome?> TryOnceAsync(
        ImageName name, string? noticeETag, bool verify, StoredImage? uploaded, ImageRecord? known, CancellationToken cancellationToken)
    {
        var record = known ?? await store.GetAsync(name.Id, cancellationToken).ConfigureAwait(false);
        if (await CoversAsync(record, name.BlobName, noticeETag, verify, cancellationToken).ConfigureAwait(false))
        {
            LogNoWork(name.Id, name.BlobName, record!.Status);
            return ThumbnailOutcome.AlreadyDone;
        }

        SourceState source;
        if (uploaded is not null)
        {
            source = new SourceState(uploaded.ETag, uploaded.LastModified, uploaded.Content.LongLength, uploaded.Content);
        }
        else if (await blobs.GetSourcePropertiesAsync(name.BlobName, cancellationToken).ConfigureAwait(false) is { } properties)
        {
            source = new SourceState(properties.ETag, properties.LastModified, properties.ContentLength, null);
        }
        else
        {
            return await SourceMissingAsync(name, record, cancellationToken).ConfigureAwait(false);
        }

        var eTag = ImageRecord.NormalizeETag(source.ETag.ToString())!;
        if (await CoversAsync(record, name.BlobName, eTag, verify, cancellationToken).ConfigureAwait(false))
        {
            LogNoWork(name.Id, name.BlobName, record!.Status);
            return ThumbnailOutcome.AlreadyDone;
        }

        if (record is { SourceDeleted: false, SourceLastModified: { } recorded } && recorded > source.LastModified)
        {
            LogSuperseded(name.Id, name.BlobName, record.SourceBlob);
            return ThumbnailOutcome.Superseded;
        }

        // Processing keeps the current version: readers are served the old thumbnails until the flip.
        var processing = new ImageRecord
        {
            Id = name.Id,
            Status = ImageStatus.Processing,
            SourceBlob = name.BlobName,
            SourceETag = eTag,
            SourceLastModified = source.LastModified,
            SourceBytes = source.ContentLength,
            Version = record?.SourceDeleted == false ? record.Version : null,
            Thumbnails = record?.SourceDeleted == false ? record.Thumbnails : [],
            UpdatedAt = time.GetUtcNow(),
            RowETag = record?.RowETag ?? default,
            Callback = record?.Callback,
        };
        var claimed = await store.TryWriteAsync(processing, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            return null;
        }

        processing = processing with { RowETag = claimed.Value };

        // A new id (no record, or the Pending record of its upload) has no older thumbnails to clean up.
        var mayHaveOlder = record is not null && !(record.Status == ImageStatus.Pending && record.SourceETag == eTag);
        IReadOnlyList<GeneratedThumbnail> thumbnails;
        try
        {
            var generated = await GenerateAsync(name, source, cancellationToken).ConfigureAwait(false);
            if (generated is null)
            {
                return null;
            }

            thumbnails = generated;
        }
        catch (ImageRejectedException ex)
        {
            var failed = processing with { Status = ImageStatus.Failed, Reason = ex.Reason, Version = null, Thumbnails = [], UpdatedAt = time.GetUtcNow() };
            var outcome = await FinishAsync(failed, source, mayHaveOlder, cancellationToken).ConfigureAwait(false);
            if (outcome == ThumbnailOutcome.Failed)
            {
                LogFailed(name.Id, name.BlobName, ex.Reason);
            }

            return outcome;
        }

        var version = ThumbnailBlobs.VersionOf(eTag);
        await Task.WhenAll(thumbnails.Select(t => blobs.WriteAsync(name.Id, version, t, source.LastModified, cancellationToken))).ConfigureAwait(false);
        var done = processing with
        {
            Status = ImageStatus.Done,
            Reason = null,
            Version = version,
            Thumbnails = [.. thumbnails.Select(t => new ThumbnailInfo(t.Size, t.Width, t.Height, t.Content.LongLength))],
            UpdatedAt = time.GetUtcNow(),
        };
        var finished = await FinishAsync(done, source, mayHaveOlder, cancellationToken).ConfigureAwait(false);
        if (finished == ThumbnailOutcome.Done)
        {
            LogDone(name.Id, name.BlobName, version, thumbnails.Count);
        }

        return finished;
    }

    /// <summary>
    /// Whether the record already stands for this content: Failed for it (never retried), or Done
    /// with the configured sizes, and, when the notice asks, with every one of them in storage.
    /// </summary>
    private async Task<bool> CoversAsync(ImageRecord? record, string blobName, string? eTag, bool verify, CancellationToken cancellationToken)
    {
        if (record is null || !record.Covers(blobName, eTag))
        {
            return false;
        }

        if (record.Status == ImageStatus.Failed)
        {
            return true;
        }

        if (!blobs.HasConfiguredSizes(record) || (verify && !await blobs.IsCompleteAsync(record, cancellationToken).ConfigureAwait(false)))
        {
            LogIncomplete(record.Id, blobName, record.Version);
            return false;
        }

        return true;
    }

    private async Task<IReadOnlyList<GeneratedThumbnail>?> GenerateAsync(ImageName name, SourceState source, CancellationToken cancellationToken)
    {
        // Checked before download: an oversized or empty blob is never read.
        if (source.ContentLength == 0)
        {
            throw new ImageRejectedException("the image is empty (0 bytes)");
        }

        if (source.ContentLength > settings.MaxBytes)
        {
            throw new ImageRejectedException($"the image is {source.ContentLength} bytes; the limit is {settings.MaxBytes} bytes");
        }

        using (await slots.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var content = source.Content ?? await blobs.DownloadSourceAsync(name.BlobName, source.ETag, source.ContentLength, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                return null;
            }

            using var span = FunctionsJobsTelemetry.StartStep("thumbnails generate");
            return generator.Generate(content);
        }
    }

    /// <summary>
    /// Flips the record to <paramref name="final"/> (Done or Failed) if nothing newer is recorded,
    /// then deletes thumbnails of older content. A racer that finished the same content first
    /// makes this a no-op; newer content recorded by another handler makes this one superseded.
    /// </summary>
    private async Task<ThumbnailOutcome> FinishAsync(ImageRecord final, SourceState source, bool mayHaveOlder, CancellationToken cancellationToken)
    {
        // Staged before the flip, released after it (CallbackOutbox); a racer that flips first stages the same event id.
        var staged = await callbacks.StageAsync(final, cancellationToken).ConfigureAwait(false);
        for (var pass = 1; pass <= MaxPasses; pass++)
        {
            if (await store.TryWriteAsync(final, cancellationToken).ConfigureAwait(false) is not null)
            {
                await callbacks.ReleaseAsync(staged).ConfigureAwait(false);
                if (mayHaveOlder || pass > 1)
                {
                    var now = await blobs.GetSourcePropertiesAsync(final.SourceBlob, cancellationToken).ConfigureAwait(false);
                    var stillCurrent = now is not null && ImageRecord.NormalizeETag(now.ETag.ToString()) == final.SourceETag;
                    await blobs.DeleteOlderVersionsAsync(final.Id, final.Version, source.LastModified, stillCurrent, cancellationToken).ConfigureAwait(false);
                }

                return final.Status == ImageStatus.Done ? ThumbnailOutcome.Done : ThumbnailOutcome.Failed;
            }

            var current = await store.GetAsync(final.Id, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Covers(final.SourceBlob, final.SourceETag))
            {
                LogNoWork(final.Id, final.SourceBlob, current.Status);
                return ThumbnailOutcome.AlreadyDone;
            }

            if (current is { SourceDeleted: false, SourceLastModified: { } recorded } && current.SourceETag != final.SourceETag && recorded >= source.LastModified)
            {
                // Newer content won while this one was decoded: drop this version, keep theirs.
                if (final.Version is { } mine && mine != current.Version)
                {
                    await blobs.DeleteVersionAsync(final.Id, mine, cancellationToken).ConfigureAwait(false);
                }

                LogSuperseded(final.Id, final.SourceBlob, current.SourceBlob);
                return ThumbnailOutcome.Superseded;
            }

            final = final with { RowETag = current?.RowETag ?? default };
        }

        throw new InvalidOperationException($"image {final.Id}: the status record kept changing for {MaxPasses} passes");
    }

    private async Task<ThumbnailOutcome?> SourceMissingAsync(ImageName name, ImageRecord? record, CancellationToken cancellationToken)
    {
        if (record is not null && (record.SourceDeleted || !string.Equals(record.SourceBlob, name.BlobName, StringComparison.Ordinal)))
        {
            // Already recorded, or the id belongs to another blob (cat.png after cat.jpg): nothing of this blob to remove.
            LogMissing(name.Id, name.BlobName);
            return ThumbnailOutcome.SourceMissing;
        }

        var reason = record?.Status == ImageStatus.Done
            ? $"the source blob {settings.ImagesContainer}/{name.BlobName} was deleted; its thumbnails were removed"
            : $"the source blob {settings.ImagesContainer}/{name.BlobName} was deleted before it was processed";
        var deleted = new ImageRecord
        {
            Id = name.Id,
            Status = ImageStatus.Failed,
            Reason = reason,
            SourceBlob = name.BlobName,
            SourceETag = record?.SourceETag,
            SourceLastModified = null,
            SourceBytes = record?.SourceBytes,
            SourceDeleted = true,
            UpdatedAt = time.GetUtcNow(),
            RowETag = record?.RowETag ?? default,
            Callback = record?.Callback,
        };
        var staged = await callbacks.StageAsync(deleted, cancellationToken).ConfigureAwait(false);
        if (await store.TryWriteAsync(deleted, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await callbacks.ReleaseAsync(staged).ConfigureAwait(false);

        // Only versions of content no newer than the deleted one: a re-upload being processed right now keeps its own.
        var deletedContent = record?.SourceLastModified ?? DateTimeOffset.MinValue;
        var removed = await blobs.DeleteOlderVersionsAsync(name.Id, null, deletedContent, sameSecondIsOlder: true, cancellationToken).ConfigureAwait(false);
        LogSourceDeleted(name.Id, name.BlobName, removed);
        return ThumbnailOutcome.SourceMissing;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Thumbnails: blob {BlobName} of container {Container} is not an image source; ignored")]
    private partial void LogIgnored(string container, string blobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: blob {BlobName} rejected: {Reason}")]
    private partial void LogRejected(string blobName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: image {ImageId} ({BlobName}) already {Status} for this content; no work")]
    private partial void LogNoWork(string imageId, string blobName, ImageStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: image {ImageId} ({BlobName}) is Done but version {Version} lacks a configured size; making it again")]
    private partial void LogIncomplete(string imageId, string blobName, string? version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: image {ImageId} ({BlobName}) superseded by newer content from {CurrentBlob}")]
    private partial void LogSuperseded(string imageId, string blobName, string currentBlob);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: image {ImageId} ({BlobName}) failed: {Reason}")]
    private partial void LogFailed(string imageId, string blobName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: image {ImageId} ({BlobName}) done: {Count} sizes, version {Version}")]
    private partial void LogDone(string imageId, string blobName, string version, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: image {ImageId} ({BlobName}) is gone; already recorded")]
    private partial void LogMissing(string imageId, string blobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: image {ImageId} ({BlobName}) was deleted; recorded, {Removed} thumbnails removed")]
    private partial void LogSourceDeleted(string imageId, string blobName, int removed);
}

/// <summary>The source content a pass works on: read from storage, or handed over by the upload route with its bytes.</summary>
internal sealed record SourceState(ETag ETag, DateTimeOffset LastModified, long ContentLength, byte[]? Content);
