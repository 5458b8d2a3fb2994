using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace FunctionsJobs.Core.Orders;

/// <summary>What an <c>Idempotency-Key</c> was first used for.</summary>
public sealed record IdempotencyRecord(string OrderId, string Fingerprint);

/// <summary>
/// <c>Idempotency-Key</c> records in the outbox table: PartitionKey <c>idempotency-{xx}</c> (the
/// first two hex digits of the key's SHA-256, so keys spread over 256 partitions), RowKey the whole
/// hash (any key is a valid RowKey that way). The first request to write the row owns the key.
/// </summary>
public sealed class IdempotencyStore(OrdersStorage storage, TimeProvider time)
{
    public const int MaxKeyLength = 255;

    /// <summary>Every record's PartitionKey starts so; '-' sorts right before '.', so the records are one key range.</summary>
    public const string PartitionPrefix = "idempotency-";
    public const string PartitionRangeEnd = "idempotency.";

    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is >= ' ' and <= '~');

    /// <summary>Claims <paramref name="key"/> for the order, or returns who claimed it first.</summary>
    public async Task<IdempotencyRecord> ClaimAsync(string key, IdempotencyRecord candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var partition = $"{PartitionPrefix}{hash[..2]}";
        var row = new TableEntity(partition, hash) { ["OrderId"] = candidate.OrderId, ["Fingerprint"] = candidate.Fingerprint, ["CreatedAt"] = time.GetUtcNow() };
        try
        {
            await storage.RunAsync(() => storage.Outbox.AddEntityAsync(row, cancellationToken), cancellationToken).ConfigureAwait(false);
            return candidate;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await storage.RunAsync(() => storage.Outbox.GetEntityAsync<TableEntity>(partition, hash, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            return new IdempotencyRecord(existing.Value.GetString("OrderId"), existing.Value.GetString("Fingerprint"));
        }
    }
}
