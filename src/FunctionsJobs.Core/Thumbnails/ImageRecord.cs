using Azure;
using FunctionsJobs.Core.Callbacks;

namespace FunctionsJobs.Core.Thumbnails;

public enum ImageStatus
{
    /// <summary>Stored; its event is queued.</summary>
    Pending,

    /// <summary>A handler is decoding it now.</summary>
    Processing,

    /// <summary>Every size of <see cref="ImageRecord.Version"/> is written.</summary>
    Done,

    /// <summary>It can never become thumbnails (or its source was deleted); <see cref="ImageRecord.Reason"/> says why.</summary>
    Failed,
}

/// <summary>One thumbnail of the current version, as the status shows it.</summary>
public sealed record ThumbnailInfo(int Size, int Width, int Height, long Bytes);

/// <summary>
/// The status record of one image id, the row the handler flips with ETag concurrency. Its
/// <see cref="Version"/> names the set of thumbnail blobs readers are served: a new version is
/// written in full before the record points at it, so no reader ever sees sizes of two contents.
/// </summary>
public sealed record ImageRecord
{
    public required string Id { get; init; }

    public required ImageStatus Status { get; init; }

    public string? Reason { get; init; }

    /// <summary>The blob in the images container this id was last made from (<c>{id}.{ext}</c>).</summary>
    public required string SourceBlob { get; init; }

    public string? SourceETag { get; init; }

    public DateTimeOffset? SourceLastModified { get; init; }

    public long? SourceBytes { get; init; }

    /// <summary>True once the handler found the source blob gone and removed its thumbnails.</summary>
    public bool SourceDeleted { get; init; }

    /// <summary>The folder <c>thumbnails/{id}/{version}/</c> that holds the current thumbnails; null before the first Done.</summary>
    public string? Version { get; init; }

    public IReadOnlyList<ThumbnailInfo> Thumbnails { get; init; } = [];

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Where the uploader wants each Done or Failed sent (a callback URL or a reply queue), if anywhere.</summary>
    public CallbackTarget? Callback { get; init; }

    /// <summary>The row's ETag when it was read: the condition of the next write.</summary>
    public ETag RowETag { get; init; }

    /// <summary>Whether this record already covers the given content: same blob, same ETag, finished.</summary>
    public bool Covers(string blobName, string? eTag) =>
        Status is ImageStatus.Done or ImageStatus.Failed && !SourceDeleted
        && string.Equals(SourceBlob, blobName, StringComparison.Ordinal) && NormalizeETag(eTag) is { } normalized && SourceETag == normalized;

    /// <summary>
    /// One spelling of a blob ETag: headers quote it (<c>"0x8D..."</c>), blob listings and Event Grid
    /// events do not (<c>0x8D...</c>). Records keep the unquoted form.
    /// </summary>
    public static string? NormalizeETag(string? eTag) => string.IsNullOrWhiteSpace(eTag) ? null : eTag.Trim().Trim('"');
}
