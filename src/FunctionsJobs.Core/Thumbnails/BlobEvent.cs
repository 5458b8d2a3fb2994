using System.Text.Json.Serialization;
using FunctionsJobs.Core.Telemetry;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// A blob event in the Event Grid event schema, as an Event Grid subscription with a storage
/// queue endpoint delivers it (one event per message), and as the Host's upload route and scan
/// write it. Only what the handler needs is required; the rest of the schema is kept for the record.
/// </summary>
public sealed record BlobEvent(
    string Subject,
    string EventType,
    BlobEventData? Data = null,
    string? Id = null,
    string? Topic = null,
    DateTimeOffset? EventTime = null,
    string? DataVersion = null,
    string? MetadataVersion = null) : ITracedMessage
{
    /// <summary>
    /// The trace of the upload or job that wrote the event. Not part of the Event Grid schema: events
    /// that Event Grid delivers have none, and their handling starts a trace of its own.
    /// </summary>
    [JsonPropertyName("traceparent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceParent { get; init; }

    public const string BlobCreated = "Microsoft.Storage.BlobCreated";
    public const string BlobDeleted = "Microsoft.Storage.BlobDeleted";
    private const string SubjectPrefix = "/blobServices/default/containers/";
    private const string BlobsSegment = "/blobs/";

    /// <summary>Splits <c>/blobServices/default/containers/{container}/blobs/{name}</c>; false for any other shape.</summary>
    public bool TryGetBlob(out string container, out string name)
    {
        container = name = string.Empty;
        if (!Subject.StartsWith(SubjectPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = Subject[SubjectPrefix.Length..];
        var blobs = rest.IndexOf(BlobsSegment, StringComparison.Ordinal);
        if (blobs <= 0)
        {
            return false;
        }

        container = rest[..blobs];
        name = rest[(blobs + BlobsSegment.Length)..];
        return true;
    }

    /// <summary>The event the Host writes for a blob it stored or found: the shape Event Grid would deliver.</summary>
    public static BlobEvent Create(string eventType, Uri blobUri, string container, string name, string? eTag, long? contentLength, string? contentType, string api, DateTimeOffset time) =>
        new(
            $"{SubjectPrefix}{container}{BlobsSegment}{name}",
            eventType,
            new BlobEventData(blobUri.AbsoluteUri, eTag, contentLength, contentType, "BlockBlob", api),
            Guid.NewGuid().ToString(),
            null,
            time,
            string.Empty,
            "1");
}

/// <summary>The <c>data</c> of a <c>Microsoft.Storage.BlobCreated</c> or <c>BlobDeleted</c> event.</summary>
public sealed record BlobEventData(
    string? Url = null,
    [property: JsonPropertyName("eTag")] string? ETag = null,
    long? ContentLength = null,
    string? ContentType = null,
    string? BlobType = null,
    string? Api = null,
    string? Sequencer = null);
