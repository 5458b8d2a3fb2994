using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The blobs of the job: sources in the images container, thumbnails in the thumbnails container
/// at <c>{id}/{version}/{size}.{ext}</c>. A version is derived from the source ETag, so the same
/// content always lands in the same folder (racing handlers write identical bytes) and new
/// content never overwrites the folder readers are being served.
/// </summary>
public sealed class ThumbnailBlobs
{
    /// <summary>A versioned blob never changes, so caches may keep it for a year.</summary>
    public const string VersionedCacheControl = "public, max-age=31536000, immutable";

    private const string SourceModifiedKey = "sourcemodified";
    private readonly ThumbnailSettings _settings;
    private readonly CreateOnce _imagesCreated;
    private readonly CreateOnce _thumbnailsCreated;

    public ThumbnailBlobs(StorageAccount storage, ThumbnailSettings settings)
    {
        _settings = settings;
        Images = storage.Blobs.GetBlobContainerClient(settings.ImagesContainer);
        Thumbnails = storage.Blobs.GetBlobContainerClient(settings.ThumbnailsContainer);
        _imagesCreated = new CreateOnce(ct => Images.CreateIfNotExistsAsync(cancellationToken: ct));
        _thumbnailsCreated = new CreateOnce(ct => Thumbnails.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    public BlobContainerClient Images { get; }

    public BlobContainerClient Thumbnails { get; }

    public static string VersionOf(string sourceETag) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceETag)))[..16];

    public string ThumbnailName(string id, string version, int size) =>
        string.Create(CultureInfo.InvariantCulture, $"{id}/{version}/{size}.{_settings.Format.Extension()}");

    public Task EnsureImagesContainerAsync(CancellationToken cancellationToken) => _imagesCreated.EnsureAsync(cancellationToken);

    /// <summary>The source's properties, or null when it does not exist (or its container does not).</summary>
    public async Task<BlobProperties?> GetSourcePropertiesAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            return (await Images.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether every configured size of the record's version is in storage, as the record says:
    /// the record may be Done while a blob was deleted since, or the size list changed.
    /// </summary>
    public async Task<bool> IsCompleteAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Status != ImageStatus.Done || record.Version is not { } version || !HasConfiguredSizes(record))
        {
            return false;
        }

        var missing = _settings.Sizes.Select(size => ThumbnailName(record.Id, version, size)).ToHashSet(StringComparer.Ordinal);
        try
        {
            await foreach (var blob in Thumbnails.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{record.Id}/{version}/", cancellationToken).ConfigureAwait(false))
            {
                missing.Remove(blob.Name);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        return missing.Count == 0;
    }

    /// <summary>Whether the record lists exactly the configured sizes (cheap: no request).</summary>
    public bool HasConfiguredSizes(ImageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Thumbnails.Count == _settings.Sizes.Count && _settings.Sizes.All(size => record.Thumbnails.Any(t => t.Size == size));
    }

    /// <summary>
    /// Downloads the source as it was when its properties were read; null when it has changed or
    /// gone since (the caller starts over with what is there now).
    /// </summary>
    public async Task<byte[]?> DownloadSourceAsync(string blobName, ETag eTag, long length, CancellationToken cancellationToken)
    {
        try
        {
            // Into one array of the known size: no growing buffer, no copy (the ETag pins the size).
            var content = new byte[length];
            using var target = new MemoryStream(content, writable: true);
            var options = new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = eTag } };
            await Images.GetBlobClient(blobName).DownloadToAsync(target, options, cancellationToken).ConfigureAwait(false);
            return content;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task WriteAsync(string id, string version, GeneratedThumbnail thumbnail, DateTimeOffset sourceModified, CancellationToken cancellationToken)
    {
        await _thumbnailsCreated.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = _settings.Format.ContentType(), CacheControl = VersionedCacheControl },
            Metadata = new Dictionary<string, string> { [SourceModifiedKey] = sourceModified.UtcTicks.ToString(CultureInfo.InvariantCulture) },
        };
        await Thumbnails.GetBlobClient(ThumbnailName(id, version, thumbnail.Size)).UploadAsync(BinaryData.FromBytes(thumbnail.Content), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the thumbnails of versions other than <paramref name="keepVersion"/> made from content
    /// older than <paramref name="olderThan"/>: a version of newer content, maybe being written by
    /// another handler right now, is left alone (that handler cleans up after itself). Last-Modified
    /// counts whole seconds, so content from the same second is deleted only when
    /// <paramref name="sameSecondIsOlder"/> (the caller has just seen its own content is current).
    /// </summary>
    public async Task<int> DeleteOlderVersionsAsync(string id, string? keepVersion, DateTimeOffset olderThan, bool sameSecondIsOlder, CancellationToken cancellationToken) =>
        await DeleteAsync(id, version => version != keepVersion, olderThan, sameSecondIsOlder, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the thumbnails of one version, e.g. one that lost to newer content.</summary>
    public async Task<int> DeleteVersionAsync(string id, string version, CancellationToken cancellationToken) =>
        await DeleteAsync(id, v => v == version, null, sameSecondIsOlder: false, cancellationToken).ConfigureAwait(false);

    private async Task<int> DeleteAsync(string id, Func<string?, bool> matches, DateTimeOffset? olderThan, bool sameSecondIsOlder, CancellationToken cancellationToken)
    {
        var deleted = 0;
        try
        {
            await foreach (var blob in Thumbnails.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, id + "/", cancellationToken).ConfigureAwait(false))
            {
                var version = blob.Name.Split('/') is [_, var v, _] ? v : null;
                if (!matches(version))
                {
                    continue;
                }

                if (olderThan is { } limit && blob.Metadata.TryGetValue(SourceModifiedKey, out var ticks)
                    && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var modified)
                    && (modified > limit.UtcTicks || (modified == limit.UtcTicks && !sameSecondIsOlder)))
                {
                    continue;
                }

                await Thumbnails.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                deleted++;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No thumbnails container yet: nothing to delete.
        }

        return deleted;
    }
}
