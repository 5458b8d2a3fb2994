using Azure;
using Azure.Storage.Blobs.Models;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Puts right what the events missed, in both runtimes. Pass one lists the images container page by
/// page and queues a BlobCreated event (the Event Grid shape the upload route writes, on the events
/// queue both runtimes consume) for every blob without a complete, current set of thumbnails: no
/// status record, a record of other content, a Pending/Processing record older than the grace, or a
/// Done record whose version lacks a configured size in storage. A Failed record of the same content
/// is a final answer and is left alone. Pass two pages through the status records and queues a
/// BlobDeleted event for every image whose source is gone, so its thumbnails are removed. The place
/// is checkpointed after every page: a pass cut short resumes where it stopped.
/// </summary>
public sealed partial class ThumbnailReconciliationJob(
    ThumbnailSettings settings, ThumbnailBlobs blobs, ThumbnailStatusStore store, ThumbnailEvents events, TimeProvider time,
    ILogger<ThumbnailReconciliationJob> logger) : IScheduledJob
{
    private const string CheckpointKey = "pass";
    private const int PageSize = 500;

    // Checks are a request or two each and mostly waiting: a few at once, not one per core.
    private const int Parallelism = 8;

    public string Name => ThumbnailReconciliationSettings.FunctionName;

    public string ScheduleSetting => ThumbnailReconciliationSettings.ScheduleSetting;

    public string DefaultSchedule => ThumbnailReconciliationSettings.DefaultSchedule;

    public async Task RunAsync(JobRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var place = await context.Checkpoints.ReadAsync<ReconciliationPlace>(CheckpointKey, cancellationToken).ConfigureAwait(false);
        if (place is not null)
        {
            LogResumed(place.Phase, place.Examined);
            context.Progress.Set(place.Examined, place.Phase == ReconciliationPhase.Records ? 50 : null);
        }

        place ??= new ReconciliationPlace(ReconciliationPhase.Images, null, 0, 0);
        if (place.Phase == ReconciliationPhase.Images)
        {
            await foreach (var page in blobs.Images.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken).AsPages(place.Token, PageSize).OrNoneIfMissingAsync(cancellationToken).ConfigureAwait(false))
            {
                var enqueued = await ForEachAsync(page.Values, CheckImageAsync, cancellationToken).ConfigureAwait(false);
                place = place with { Token = page.ContinuationToken, Examined = place.Examined + page.Values.Count, Enqueued = place.Enqueued + enqueued };
                context.Progress.Add(page.Values.Count);
                await context.Checkpoints.WriteAsync(CheckpointKey, place, cancellationToken).ConfigureAwait(false);
            }

            place = place with { Phase = ReconciliationPhase.Records, Token = null };
            context.Progress.Add(0, 50);
            await context.Checkpoints.WriteAsync(CheckpointKey, place, cancellationToken).ConfigureAwait(false);
        }

        await foreach (var page in store.ListLivePagesAsync(place.Token, PageSize, cancellationToken).OrNoneIfMissingAsync(cancellationToken).ConfigureAwait(false))
        {
            var enqueued = await ForEachAsync(page.Values, CheckRecordAsync, cancellationToken).ConfigureAwait(false);
            place = place with { Token = page.ContinuationToken, Examined = place.Examined + page.Values.Count, Enqueued = place.Enqueued + enqueued };
            context.Progress.Add(page.Values.Count);
            await context.Checkpoints.WriteAsync(CheckpointKey, place, cancellationToken).ConfigureAwait(false);
        }

        await context.Checkpoints.DeleteAsync(CheckpointKey, cancellationToken).ConfigureAwait(false);
        context.Progress.Add(0, 100);
        LogReconciled(settings.ImagesContainer, place.Examined, place.Enqueued);
    }

    private async Task<bool> CheckImageAsync(BlobItem blob, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var eTag = ImageRecord.NormalizeETag(blob.Properties.ETag?.ToString());
        var young = blob.Properties.LastModified > now - settings.ReconciliationGrace;
        bool needed;
        if (!ImageName.TryParse(blob.Name, out var name, out _))
        {
            // A name that can never be an image: one event records why, then its receipt stands.
            var receipt = await store.GetRejectedAsync(blob.Name, cancellationToken).ConfigureAwait(false);
            needed = receipt?.SourceETag != eTag && !young;
        }
        else
        {
            var record = await store.GetAsync(name.Id, cancellationToken).ConfigureAwait(false);
            needed = await NeedsThumbnailsAsync(blob, eTag, record, young, now, cancellationToken).ConfigureAwait(false);
        }

        if (needed)
        {
            await events.SendAsync(BlobEvent.Create(
                BlobEvent.BlobCreated, blobs.Images.GetBlobClient(blob.Name).Uri, settings.ImagesContainer, blob.Name, eTag,
                blob.Properties.ContentLength, blob.Properties.ContentType, ThumbnailReconciliationSettings.EventApi, now), cancellationToken).ConfigureAwait(false);
        }

        return needed;
    }

    private async Task<bool> NeedsThumbnailsAsync(BlobItem blob, string? eTag, ImageRecord? record, bool young, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            // Just written: its event is presumably on its way.
            return !young;
        }

        if (record.Covers(blob.Name, eTag))
        {
            // Failed is final for this content (a rejected image is not queued again and again); Done is checked in storage.
            return record.Status == ImageStatus.Done && !await blobs.IsCompleteAsync(record, cancellationToken).ConfigureAwait(false);
        }

        var sameName = string.Equals(record.SourceBlob, blob.Name, StringComparison.Ordinal);
        if (sameName && record.SourceETag == eTag && record.Status is ImageStatus.Pending or ImageStatus.Processing && record.UpdatedAt >= now - settings.ReconciliationGrace)
        {
            return false;
        }

        // cat.jpg while the id's record holds newer content from cat.png: superseded, not new.
        var superseded = !sameName && !record.SourceDeleted
            && record.SourceLastModified is { } recorded && blob.Properties.LastModified is { } modified && recorded > modified;
        return !superseded;
    }

    private async Task<bool> CheckRecordAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (record.UpdatedAt >= now - settings.ReconciliationGrace
            || await blobs.GetSourcePropertiesAsync(record.SourceBlob, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        await events.SendAsync(BlobEvent.Create(
            BlobEvent.BlobDeleted, blobs.Images.GetBlobClient(record.SourceBlob).Uri, settings.ImagesContainer, record.SourceBlob, null,
            null, null, ThumbnailReconciliationSettings.EventApi, now), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task<long> ForEachAsync<T>(IReadOnlyList<T> items, Func<T, CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        long enqueued = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(items, options, async (item, token) =>
        {
            if (await check(item, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref enqueued);
            }
        }).ConfigureAwait(false);
        return enqueued;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: reconciliation resumes in phase {Phase} after {Examined} items")]
    private partial void LogResumed(ReconciliationPhase phase, long examined);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: reconciled container {Container}: {Examined} blobs and records examined, {Enqueued} events queued")]
    private partial void LogReconciled(string container, long examined, long enqueued);
}

public enum ReconciliationPhase
{
    Images,
    Records,
}

/// <summary>Where a reconciliation pass is: its phase, the listing's continuation token, and the counts so far.</summary>
public sealed record ReconciliationPlace(ReconciliationPhase Phase, string? Token, long Examined, long Enqueued);
