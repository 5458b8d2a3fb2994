using System.Globalization;
using Azure;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>What <c>GET /api/images/{id}</c> answers.</summary>
public sealed record ImageStatusView(
    string Id, ImageStatus Status, string? Reason, string SourceBlob, long? SourceBytes, DateTimeOffset UpdatedAt, IReadOnlyList<ThumbnailView> Thumbnails);

/// <param name="Url">The public path, served by <c>GET /api/thumbnails/{image}/{size}.{ext}</c>.</param>
/// <param name="Blob">Where the bytes of the current version are stored, in the thumbnails container.</param>
public sealed record ThumbnailView(int Size, int Width, int Height, long Bytes, string ContentType, string Url, string Blob);

/// <summary>A thumbnail being served: the bytes of the version the status record points at.</summary>
public sealed record ThumbnailContent(Stream Content, string ContentType, long Length, string ETag, DateTimeOffset LastModified) : IDisposable
{
    public void Dispose() => Content.Dispose();
}

/// <summary>The read side: an image's status, and a thumbnail by its public path <c>thumbnails/{image}/{size}.{ext}</c>.</summary>
public sealed class ImageQueries(ThumbnailSettings settings, ThumbnailStatusStore store, ThumbnailBlobs blobs)
{
    /// <summary>Cache lifetime of the public path: short, because new content replaces what it serves.</summary>
    public const string PublicCacheControl = "public, max-age=60";

    public static string PublicPath(string id, int size, ThumbnailFormat format) =>
        string.Create(CultureInfo.InvariantCulture, $"/api/thumbnails/{id}/{size}.{format.Extension()}");

    public Task<ImageRecord?> GetRecordAsync(string id, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken);

    /// <summary>What <c>GET /api/images/{id}</c> shows of a record: its status and the public paths of its thumbnails.</summary>
    public ImageStatusView ViewOf(ImageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var id = record.Id;
        var thumbnails = record.Version is { } version
            ? record.Thumbnails.Select(t => new ThumbnailView(
                t.Size, t.Width, t.Height, t.Bytes, settings.Format.ContentType(), PublicPath(id, t.Size, settings.Format),
                $"{settings.ThumbnailsContainer}/{blobs.ThumbnailName(id, version, t.Size)}")).ToList()
            : [];
        return new ImageStatusView(record.Id, record.Status, record.Reason, record.SourceBlob, record.SourceBytes, record.UpdatedAt, thumbnails);
    }

    /// <summary>The current version's thumbnail of that size, or null if there is none.</summary>
    public async Task<ThumbnailContent?> OpenThumbnailAsync(string id, int size, CancellationToken cancellationToken)
    {
        // Two tries: the record may flip to a new version, and the old one be deleted, between
        // reading the record and opening the blob.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var record = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (record?.Version is not { } version || record.Thumbnails.All(t => t.Size != size))
            {
                return null;
            }

            try
            {
                var download = await blobs.Thumbnails.GetBlobClient(blobs.ThumbnailName(id, version, size)).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var details = download.Value.Details;
                return new ThumbnailContent(
                    download.Value.Content, details.ContentType ?? settings.Format.ContentType(), details.ContentLength,
                    string.Create(CultureInfo.InvariantCulture, $"\"{version}-{size}\""), details.LastModified);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                continue;
            }
        }

        return null;
    }
}
