using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// What the Host's upload path does for one upload, with the SDK clients called directly: no
/// Kestrel, no HTTP client, no checks, no handler, no stores. Per upload, as <c>ImageUploads</c>
/// stores it: the source put (If-None-Match *, its content type and the upload marker), the Pending
/// status row added, its recent-items row upserted (in the Host's table: both sides meet the same
/// table), its event sent hidden for the upload event
/// delay; then, as <c>InProcessUploadThumbnails</c> and <c>ThumbnailHandler</c> make it: the row
/// replaced as Processing (If-Match), the job's <see cref="ThumbnailGenerator"/>, every size put at
/// once, the row replaced as Done (If-Match: the image is done), the event deleted. The same bounds
/// too: 16 uploads in flight (the client's), 2 x ThumbnailConcurrency bodies held (the route's),
/// ThumbnailConcurrency images from the source put to the event's delete (the in-process room),
/// ThumbnailConcurrency decodes.
/// </summary>
internal sealed class BaselineThumbnails : IDisposable
{
    private const string SourceModifiedKey = "sourcemodified";
    private readonly ThumbnailSettings _settings;
    private readonly ThumbnailGenerator _generator;
    private readonly BlobContainerClient _images;
    private readonly BlobContainerClient _thumbnails;
    private readonly TableClient _status;
    private readonly TableClient _recent;
    private readonly QueueClient _events;
    private readonly SemaphoreSlim _bodies;
    private readonly SemaphoreSlim _room;
    private readonly SemaphoreSlim _decodes;

    private BaselineThumbnails(StorageAccount account, ThumbnailSettings settings)
    {
        _settings = settings;
        _generator = new ThumbnailGenerator(settings, NullLogger<ThumbnailGenerator>.Instance);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _images = account.Blobs.GetBlobContainerClient($"bench-images-{suffix}");
        _thumbnails = account.Blobs.GetBlobContainerClient($"bench-thumbnails-{suffix}");
        _status = account.Tables.GetTableClient($"BenchImageStatus{suffix}");
        _recent = account.Tables.GetTableClient(RecentItems.DefaultTable);
        _events = account.Queues.GetQueueClient($"bench-thumbnail-events-{suffix}");
        _bodies = new SemaphoreSlim(settings.Concurrency * 2);
        _room = new SemaphoreSlim(settings.Concurrency);
        _decodes = new SemaphoreSlim(settings.Concurrency);
    }

    /// <summary>Its own containers, status table and queue, created before any clock starts (the Host creates its own once).</summary>
    public static async Task<BaselineThumbnails> CreateAsync(StorageAccount account, ThumbnailSettings settings)
    {
        var baseline = new BaselineThumbnails(account, settings);
        await Task.WhenAll(
            baseline._images.CreateIfNotExistsAsync(),
            baseline._thumbnails.CreateIfNotExistsAsync(),
            baseline._status.CreateIfNotExistsAsync(),
            baseline._recent.CreateIfNotExistsAsync(),
            baseline._events.CreateIfNotExistsAsync());
        return baseline;
    }

    /// <summary>Every upload at once, <paramref name="inFlight"/> at a time; when each image was done (its Done row written).</summary>
    public async Task<long[]> RunAsync(BenchImages images, int uploads, int inFlight)
    {
        using var client = new SemaphoreSlim(inFlight);
        var finishing = new Task<long>[uploads];
        await Task.WhenAll(Enumerable.Range(0, uploads).Select(async i =>
        {
            await client.WaitAsync();
            try
            {
                finishing[i] = await StoreAsync(images, i);
            }
            finally
            {
                client.Release();
            }
        }));
        return await Task.WhenAll(finishing);
    }

    /// <summary>The upload route's part; returns the in-process work it starts, as the Host answers 202 and works on.</summary>
    private async Task<Task<long>> StoreAsync(BenchImages images, int index)
    {
        var content = images.Contents[index % images.Contents.Count];
        var format = SourceImageFormat.Sniff(content)!;
        await _bodies.WaitAsync();
        try
        {
            await _room.WaitAsync();
            var now = DateTimeOffset.UtcNow;
            var id = Guid.CreateVersion7(now).ToString("N");
            var blobName = $"{id}.{format.Extension}";
            var blob = _images.GetBlobClient(blobName);
            var stored = (await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = format.ContentType },
                Metadata = new Dictionary<string, string> { [ThumbnailBlobScanSettings.UploadMarkerKey] = blobName },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            })).Value;
            var eTag = ImageRecord.NormalizeETag(stored.ETag.ToString())!;
            var pending = new ImageRecord
            {
                Id = id,
                Status = ImageStatus.Pending,
                SourceBlob = blobName,
                SourceETag = eTag,
                SourceLastModified = stored.LastModified,
                SourceBytes = content.Length,
                UpdatedAt = now,
            };
            var rowETag = (await _status.AddEntityAsync(ThumbnailStatusStore.ToEntity(pending))).Headers.ETag!.Value;
            await _recent.UpsertEntityAsync(RecentItems.EntityOf(RecentItems.Images, id, now), TableUpdateMode.Replace);
            var blobEvent = BlobEvent.Create(BlobEvent.BlobCreated, blob.Uri, _images.Name, blobName, eTag, content.Length, format.ContentType, "PutBlob", now);
            var sent = (await _events.SendMessageAsync(JsonSerializer.Serialize(blobEvent, JobJson.Options), _settings.UploadEventDelay)).Value;
            return Task.Run(() => MakeAsync(content, pending with { RowETag = rowETag }, sent.MessageId, sent.PopReceipt));
        }
        finally
        {
            _bodies.Release();
        }
    }

    /// <summary>The in-process work on one stored upload; releases its room when the event is deleted.</summary>
    private async Task<long> MakeAsync(byte[] content, ImageRecord pending, string messageId, string popReceipt)
    {
        try
        {
            var processing = pending with { Status = ImageStatus.Processing, UpdatedAt = DateTimeOffset.UtcNow };
            var rowETag = (await _status.UpdateEntityAsync(ThumbnailStatusStore.ToEntity(processing), pending.RowETag, TableUpdateMode.Replace)).Headers.ETag!.Value;
            IReadOnlyList<GeneratedThumbnail> thumbnails;
            await _decodes.WaitAsync();
            try
            {
                thumbnails = _generator.Generate(content);
            }
            finally
            {
                _decodes.Release();
            }

            var version = ThumbnailBlobs.VersionOf(pending.SourceETag!);
            var modified = pending.SourceLastModified!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture);
            await Task.WhenAll(thumbnails.Select(t => _thumbnails.GetBlobClient(string.Create(CultureInfo.InvariantCulture, $"{pending.Id}/{version}/{t.Size}.{_settings.Format.Extension()}"))
                .UploadAsync(BinaryData.FromBytes(t.Content), new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = _settings.Format.ContentType(), CacheControl = ThumbnailBlobs.VersionedCacheControl },
                    Metadata = new Dictionary<string, string> { [SourceModifiedKey] = modified },
                })));
            var done = processing with
            {
                Status = ImageStatus.Done,
                Version = version,
                Thumbnails = [.. thumbnails.Select(t => new ThumbnailInfo(t.Size, t.Width, t.Height, t.Content.LongLength))],
                UpdatedAt = DateTimeOffset.UtcNow,
            };
            await _status.UpdateEntityAsync(ThumbnailStatusStore.ToEntity(done), rowETag, TableUpdateMode.Replace);
            var at = Stopwatch.GetTimestamp();
            await _events.DeleteMessageAsync(messageId, popReceipt);
            return at;
        }
        finally
        {
            _room.Release();
        }
    }

    public void Dispose()
    {
        _bodies.Dispose();
        _room.Dispose();
        _decodes.Dispose();
    }
}
