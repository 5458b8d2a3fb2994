using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Thumbnails;

public enum ReceiptState
{
    /// <summary>This scanner holds the claim: it announces the blob, then completes the receipt.</summary>
    Claimed,

    /// <summary>Announced (or found covered) already: nothing to do.</summary>
    Done,

    /// <summary>Another scanner claimed it moments ago and is announcing it now.</summary>
    Busy,
}

/// <param name="RowETag">The claim's row version: completing it is conditional on it.</param>
public sealed record ReceiptClaim(ReceiptState State, string BlobName, string Key, ETag RowETag);

/// <summary>
/// The scan's receipts, as the Functions polling blob trigger keeps them (there as blobs under
/// <c>azure-webjobs-hosts/blobreceipts</c>; here as table rows, one point request each): one row per
/// blob name and ETag announced, so a restart, or another instance, announces nothing twice.
/// A receipt is claimed (inserted) before its event is queued and completed after: the insert
/// decides which instance announces, and a claim left by an instance that died is taken over once
/// it is older than <see cref="ClaimTimeout"/>. The table also keeps the scan's watermark: blobs
/// last modified before it were handled before this process started.
/// Partition = a hash of the blob name (names may hold any character and run to 1,024); row = the ETag.
/// </summary>
public sealed class BlobScanReceipts
{
    /// <summary>A claim older than this was left by a scanner that stopped before announcing.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(1);

    private const string WatermarkPartition = "watermark";
    private const string StateClaimed = "Claimed";
    private const string StateDone = "Done";

    private readonly TableClient _table;
    private readonly CreateOnce _created;
    private readonly TimeProvider _time;

    public BlobScanReceipts(StorageAccount storage, ThumbnailSettings settings, TimeProvider time)
    {
        _table = storage.Tables.GetTableClient(settings.ScanReceiptsTable);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
        _time = time;
    }

    /// <summary>The receipt key of a blob's content: its ETag, or for its deletion <c>deleted-</c> + the last ETag seen.</summary>
    public static string CreatedKey(string eTag) => eTag;

    public static string DeletedKey(string eTag) => "deleted-" + eTag;

    /// <summary>Claims the receipt for <paramref name="key"/> of <paramref name="blobName"/> on behalf of <paramref name="owner"/>.</summary>
    public async Task<ReceiptClaim> ClaimAsync(string blobName, string key, string owner, CancellationToken cancellationToken)
    {
        var partition = Partition(blobName);
        var claim = new TableEntity(partition, key)
        {
            ["BlobName"] = ImageName.Printable(blobName),
            ["State"] = StateClaimed,
            ["Owner"] = owner,
            ["ClaimedAt"] = _time.GetUtcNow(),
        };
        try
        {
            var added = await _created.RunAsync(() => _table.AddEntityAsync(claim, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new ReceiptClaim(ReceiptState.Claimed, blobName, key, added.Headers.ETag ?? default);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Someone has a receipt for this content: see whether it is finished or abandoned.
        }

        var existing = await _table.GetEntityIfExistsAsync<TableEntity>(partition, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!existing.HasValue)
        {
            // Deleted in between (a wiped store): the next pass claims it afresh.
            return new ReceiptClaim(ReceiptState.Busy, blobName, key, default);
        }

        var row = existing.Value!;
        if (row.GetString("State") == StateDone)
        {
            return new ReceiptClaim(ReceiptState.Done, blobName, key, row.ETag);
        }

        var abandoned = row.GetString("Owner") == owner || row.GetDateTimeOffset("ClaimedAt") is not { } at || at < _time.GetUtcNow() - ClaimTimeout;
        if (!abandoned)
        {
            return new ReceiptClaim(ReceiptState.Busy, blobName, key, row.ETag);
        }

        try
        {
            var taken = await _table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new ReceiptClaim(ReceiptState.Claimed, blobName, key, taken.Headers.ETag ?? default);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return new ReceiptClaim(ReceiptState.Busy, blobName, key, row.ETag);
        }
    }

    /// <summary>Marks a claimed receipt done. Another scanner that took the claim over since announces too: a harmless repeat.</summary>
    public async Task CompleteAsync(ReceiptClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var done = new TableEntity(Partition(claim.BlobName), claim.Key)
        {
            ["BlobName"] = ImageName.Printable(claim.BlobName),
            ["State"] = StateDone,
            ["CompletedAt"] = _time.GetUtcNow(),
        };
        try
        {
            await _table.UpdateEntityAsync(done, claim.RowETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Taken over, or the store was wiped meanwhile: whoever holds it now completes it.
        }
    }

    /// <summary>The newest Last-Modified the scan of <paramref name="container"/> had handled everything up to, or null.</summary>
    public async Task<DateTimeOffset?> ReadWatermarkAsync(string container, CancellationToken cancellationToken)
    {
        var row = await _created.RunAsync(() => _table.GetEntityIfExistsAsync<TableEntity>(WatermarkPartition, container, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetDateTimeOffset("LastModified") : null;
    }

    public async Task WriteWatermarkAsync(string container, DateTimeOffset lastModified, CancellationToken cancellationToken)
    {
        var row = new TableEntity(WatermarkPartition, container) { ["LastModified"] = lastModified };
        await _created.RunAsync(() => _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes completed receipts completed before <paramref name="before"/>; the watermark row stays.</summary>
    public async Task<long> PurgeCompletedAsync(DateTimeOffset before, JobProgress progress, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ne {WatermarkPartition} and State eq {StateDone} and CompletedAt lt {before}");
        return await RetentionTables.DeleteMatchingAsync(_table, filter, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A hex hash: never "watermark", and free of the characters table keys forbid.</summary>
    private static string Partition(string blobName) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobName)));
}
