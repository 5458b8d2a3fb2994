using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Callbacks;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

public enum UploadResult
{
    Accepted,

    /// <summary>Over <see cref="ThumbnailSettings.MaxBytes"/> (HTTP 413); nothing was stored.</summary>
    TooLarge,

    /// <summary>Not a supported image, or not what it claims to be (HTTP 415); nothing was stored.</summary>
    Unsupported,

    /// <summary>An empty body (HTTP 400); nothing was stored.</summary>
    Empty,
}

/// <param name="Problem">Why an upload was refused, for the problem details.</param>
public sealed record UploadOutcome(UploadResult Result, string? Id = null, string? BlobName = null, string? Problem = null);

/// <summary>
/// The upload route of both runtimes: checks size and format before anything is stored, stores
/// the image as <c>images/{id}.{ext}</c>, records it Pending and queues its BlobCreated event
/// (the Host has no Event Grid; on Azure the real event arrives too and is a harmless repeat).
/// </summary>
public sealed partial class ImageUploads(
    ThumbnailSettings settings, ThumbnailBlobs blobs, ThumbnailStatusStore store, ThumbnailEvents events, IUploadHandoff handoff, TimeProvider time,
    ILogger<ImageUploads> logger) : IDisposable
{
    // Bodies are held in memory while they are checked and stored: a burst of uploads waits here
    // (its bytes still in the socket) instead of filling the heap.
    private readonly SemaphoreSlim _slots = new(settings.Concurrency * 2, settings.Concurrency * 2);

    public long MaxBytes => settings.MaxBytes;

    /// <summary>The most bytes a request may carry: the image plus room for a multipart envelope.</summary>
    public long MaxRequestBytes => RequestBytesFor(settings.MaxBytes);

    /// <summary>
    /// The request size the upload route allows for images of <paramref name="maxBytes"/>; also what
    /// <c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c> is set to, so the Functions host refuses a larger body itself.
    /// </summary>
    public static long RequestBytesFor(long maxBytes) => maxBytes + (64 * 1024);

    /// <summary>Refuses before reading a body whose declared length or type is already wrong.</summary>
    public UploadOutcome? CheckDeclared(long? contentLength, string? contentType, string? fileName)
    {
        if (contentLength > settings.MaxBytes)
        {
            return Oversized(contentLength.Value);
        }

        return CheckClaims(contentType, fileName, sniffed: null);
    }

    /// <summary>
    /// Reads the body (at most <see cref="ThumbnailSettings.MaxBytes"/>; an undeclared oversized body
    /// is cut off without being held whole), checks it and stores it. At most twice
    /// <see cref="ThumbnailSettings.Concurrency"/> bodies are in memory at once.
    /// </summary>
    /// <param name="callback">Where to send the image's Done or Failed, already checked (<see cref="CallbackRequests"/>); kept in its record.</param>
    public async Task<UploadOutcome> UploadAsync(
        Stream body, long? length, string? contentType, string? fileName, CallbackTarget? callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (CheckDeclared(length, contentType, fileName) is { } refused)
        {
            return refused;
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await ReadBodyAsync(body, length, cancellationToken).ConfigureAwait(false);
            return content is null ? Oversized(null) : await StoreAsync(content, contentType, fileName, callback, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private async Task<byte[]?> ReadBodyAsync(Stream body, long? length, CancellationToken cancellationToken)
    {
        if (length is { } exact)
        {
            // Declared: one array of the right size, no growing buffer and no copy.
            var content = new byte[exact];
            var filled = await body.ReadAtLeastAsync(content, content.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return filled == content.Length ? content : content[..filled];
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > settings.MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private async Task<UploadOutcome> StoreAsync(byte[] content, string? contentType, string? fileName, CallbackTarget? callback, CancellationToken cancellationToken)
    {
        if (content.Length == 0)
        {
            return new UploadOutcome(UploadResult.Empty, Problem: "The body is empty: send the image bytes, or a multipart form with one file.");
        }

        if (content.Length > settings.MaxBytes)
        {
            return Oversized(content.Length);
        }

        var format = SourceImageFormat.Sniff(content);
        if (format is null)
        {
            return new UploadOutcome(UploadResult.Unsupported, Problem: $"The content is not an image in a supported format ({string.Join(", ", SourceImageFormat.All.Select(f => f.Name))}).");
        }

        if (CheckClaims(contentType, fileName, format) is { } refused)
        {
            return refused;
        }

        // Room to make the thumbnails from these bytes (Host), taken before storing: it decides how long the event hides.
        using var reservation = await handoff.ReserveAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now).ToString("N");
        var blobName = $"{id}.{format.Extension}";
        await blobs.EnsureImagesContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = blobs.Images.GetBlobClient(blobName);
        var stored = await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = format.ContentType },
            Metadata = new Dictionary<string, string> { [ThumbnailBlobScanSettings.UploadMarkerKey] = blobName },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken).ConfigureAwait(false);

        var eTag = ImageRecord.NormalizeETag(stored.Value.ETag.ToString());
        var pending = new ImageRecord
        {
            Id = id,
            Status = ImageStatus.Pending,
            SourceBlob = blobName,
            SourceETag = eTag,
            SourceLastModified = stored.Value.LastModified,
            SourceBytes = content.Length,
            UpdatedAt = now,
            Callback = callback,
        };
        var rowETag = await store.TryWriteAsync(pending, cancellationToken).ConfigureAwait(false);

        SendReceipt? sent = null;
        try
        {
            var blobEvent = BlobEvent.Create(BlobEvent.BlobCreated, blob.Uri, settings.ImagesContainer, blobName, eTag, content.Length, format.ContentType, "PutBlob", now);
            sent = await events.SendAsync(blobEvent, reservation?.EventDelay, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            // The image is stored and recorded Pending: the reconciliation finds it, so the upload still succeeded.
            LogEnqueueFailed(ex, id, blobName);
        }

        reservation?.Start(new StoredImage(blobName, content, stored.Value.ETag, stored.Value.LastModified, rowETag is { } written ? pending with { RowETag = written } : null), sent);

        LogAccepted(id, blobName, content.Length);
        return new UploadOutcome(UploadResult.Accepted, id, blobName);
    }

    /// <summary>The refusal of a body over the limit; <paramref name="length"/> when it is known.</summary>
    public UploadOutcome Oversized(long? length) => new(
        UploadResult.TooLarge,
        Problem: length is { } bytes
            ? $"The image is {bytes} bytes; the limit is {settings.MaxBytes} bytes ({ThumbnailSettings.MaxBytesSetting})."
            : $"The body is over the limit of {settings.MaxBytes} bytes ({ThumbnailSettings.MaxBytesSetting}).");

    private static UploadOutcome? CheckClaims(string? contentType, string? fileName, SourceImageFormat? sniffed)
    {
        SourceImageFormat? declared = null;
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        if (!string.IsNullOrEmpty(mediaType)
            && !mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            && !mediaType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            declared = SourceImageFormat.FromContentType(mediaType);
            if (declared is null)
            {
                return new UploadOutcome(UploadResult.Unsupported, Problem: $"Content type '{ImageName.Printable(mediaType)}' is not supported; send {string.Join(", ", SourceImageFormat.All.Select(f => f.ContentType))}.");
            }
        }

        if (!string.IsNullOrEmpty(fileName))
        {
            var extension = Path.GetExtension(fileName).TrimStart('.');
            var byName = SourceImageFormat.FromExtension(extension);
            if (byName is null)
            {
                return new UploadOutcome(UploadResult.Unsupported, Problem: $"File '{ImageName.Printable(Path.GetFileName(fileName))}' does not end in a supported extension ({string.Join(", ", SourceImageFormat.Extensions.Select(e => "." + e))}).");
            }

            declared ??= byName;
        }

        if (sniffed is not null && declared is not null && declared != sniffed)
        {
            return new UploadOutcome(UploadResult.Unsupported, Problem: $"The upload claims to be {declared.Name} but its content is {sniffed.Name}.");
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: image {ImageId} accepted as {BlobName} ({Bytes} bytes)")]
    private partial void LogAccepted(string imageId, string blobName, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: image {ImageId} stored as {BlobName} but its event could not be queued; the reconciliation will pick it up")]
    private partial void LogEnqueueFailed(Exception exception, string imageId, string blobName);
}
