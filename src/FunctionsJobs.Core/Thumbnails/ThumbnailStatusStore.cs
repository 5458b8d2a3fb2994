using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The status table. Two kinds of rows: an image's status (partition = image id, row "status"),
/// and a receipt for a blob whose name can never be an image id (partition = "rejected-" + a hash
/// of the name, row "rejected"), so the reconciliation knows it has seen that blob and its reason is kept.
/// Every write of a status row is conditional on the ETag read, so racing handlers never undo
/// each other's work. A new status row is also indexed in <see cref="RecentItems"/>, for "the latest images".
/// </summary>
public sealed class ThumbnailStatusStore
{
    private const string StatusRow = "status";
    private const string RejectedRow = "rejected";

    private readonly TableClient _table;
    private readonly CreateOnce _created;
    private readonly TimeProvider _time;
    private readonly RecentItems? _recent;

    private readonly StatusWatch<ImageRecord>? _watch;

    /// <param name="watch">Long-polls of image statuses: every record written is published to them.</param>
    public ThumbnailStatusStore(StorageAccount storage, ThumbnailSettings settings, TimeProvider time, RecentItems? recent = null, StatusWatch<ImageRecord>? watch = null)
    {
        _recent = recent;
        _watch = watch;
        _table = storage.Tables.GetTableClient(settings.StatusTable);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
        _time = time;
    }

    public async Task<ImageRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(id, StatusRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Writes <paramref name="record"/> if the row is still as it was read (its <see cref="ImageRecord.RowETag"/>),
    /// or adds it if it was read as absent (default ETag). Returns the row's new ETag, or null when
    /// another writer got there first.
    /// </summary>
    public async Task<ETag?> TryWriteAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var added = record.RowETag == default;
            var response = added
                ? await _table.AddEntityAsync(ToEntity(record), cancellationToken).ConfigureAwait(false)
                : await _table.UpdateEntityAsync(ToEntity(record), record.RowETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            _watch?.Publish(record.Id, () => record with { RowETag = response.Headers.ETag ?? default });
            if (added && _recent is not null)
            {
                await _recent.TryAddAsync(RecentItems.Images, record.Id, record.UpdatedAt, cancellationToken).ConfigureAwait(false);
            }

            return response.Headers.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return null;
        }
    }

    /// <summary>Every image status row.</summary>
    public async IAsyncEnumerable<ImageRecord> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.RowKey == StatusRow, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(entity);
        }
    }

    /// <summary>
    /// The status rows of images whose source was not found gone, a page at a time from
    /// <paramref name="continuationToken"/> (a checkpointed pass resumes there).
    /// </summary>
    public async IAsyncEnumerable<Page<ImageRecord>> ListLivePagesAsync(
        string? continuationToken, int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {StatusRow} and SourceDeleted eq {false}");
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(continuationToken, pageSize).ConfigureAwait(false))
        {
            yield return Page<ImageRecord>.FromValues([.. page.Values.Select(FromEntity)], page.ContinuationToken, page.GetRawResponse());
        }
    }

    /// <summary>
    /// Status rows of images recorded as deleted before <paramref name="cutoff"/>, for the retention
    /// clean-up; the caller deletes one with <see cref="TryDeleteAsync"/>.
    /// </summary>
    public async IAsyncEnumerable<ImageRecord> ListDeletedBeforeAsync(DateTimeOffset cutoff, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {StatusRow} and SourceDeleted eq {true} and UpdatedAt lt {cutoff}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(entity);
        }
    }

    /// <summary>Deletes the record if it is still as it was read; false when another writer changed it (or it is gone).</summary>
    public async Task<bool> TryDeleteAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await _table.DeleteEntityAsync(record.Id, StatusRow, record.RowETag, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Records why a blob was refused by its name; the reconciliation will not queue it again while its ETag stays.</summary>
    public async Task RecordRejectedAsync(string blobName, string? eTag, string reason, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(RejectedKey(blobName), RejectedRow)
        {
            ["BlobName"] = ImageName.Printable(blobName),
            ["SourceETag"] = eTag,
            ["Status"] = nameof(ImageStatus.Failed),
            ["Reason"] = reason,
            ["UpdatedAt"] = _time.GetUtcNow(),
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The recorded reason a blob name was refused, or null.</summary>
    public async Task<RejectedBlob?> GetRejectedAsync(string blobName, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(RejectedKey(blobName), RejectedRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToRejected(response.Value!) : null;
    }

    /// <summary>
    /// A table key for any blob name: names may hold characters keys forbid ('/', '#', '?',
    /// control characters) and run to 1024 characters, so the key is a hash.
    /// </summary>
    public static string RejectedKey(string blobName) =>
        "rejected-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobName)));

    private static RejectedBlob ToRejected(TableEntity entity) =>
        new(entity.GetString("BlobName") ?? string.Empty, entity.GetString("SourceETag"), entity.GetString("Reason") ?? string.Empty, entity.GetDateTimeOffset("UpdatedAt"));

    /// <summary>The status row of <paramref name="record"/>, as written (the thumbnails benchmark's baseline writes the same rows).</summary>
    public static TableEntity ToEntity(ImageRecord record) => new(record.Id, StatusRow)
    {
        ["Status"] = record.Status.ToString(),
        ["Reason"] = record.Reason,
        ["SourceBlob"] = record.SourceBlob,
        ["SourceETag"] = record.SourceETag,
        ["SourceLastModified"] = record.SourceLastModified,
        ["SourceBytes"] = record.SourceBytes,
        ["SourceDeleted"] = record.SourceDeleted,
        ["Version"] = record.Version,
        ["Thumbnails"] = JsonSerializer.Serialize(record.Thumbnails, JobJson.Options),
        ["UpdatedAt"] = record.UpdatedAt,
        ["Callback"] = record.Callback is null ? null : JsonSerializer.Serialize(record.Callback, JobJson.Options),
    };

    private static ImageRecord FromEntity(TableEntity entity) => new()
    {
        Id = entity.PartitionKey,
        Status = Enum.TryParse<ImageStatus>(entity.GetString("Status"), out var status) ? status : ImageStatus.Pending,
        Reason = entity.GetString("Reason"),
        SourceBlob = entity.GetString("SourceBlob") ?? string.Empty,
        SourceETag = entity.GetString("SourceETag"),
        SourceLastModified = entity.GetDateTimeOffset("SourceLastModified"),
        SourceBytes = entity.GetInt64("SourceBytes"),
        SourceDeleted = entity.GetBoolean("SourceDeleted") ?? false,
        Version = entity.GetString("Version"),
        Thumbnails = entity.GetString("Thumbnails") is { Length: > 0 } json
            ? JsonSerializer.Deserialize<List<ThumbnailInfo>>(json, JobJson.Options) ?? []
            : [],
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        Callback = entity.GetString("Callback") is { Length: > 0 } callback ? JsonSerializer.Deserialize<CallbackTarget>(callback, JobJson.Options) : null,
        RowETag = entity.ETag,
    };
}

/// <summary>A blob refused for its name, as recorded.</summary>
public sealed record RejectedBlob(string BlobName, string? SourceETag, string Reason, DateTimeOffset? UpdatedAt);
