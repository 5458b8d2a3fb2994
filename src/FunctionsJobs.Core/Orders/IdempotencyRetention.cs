using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// <c>Idempotency-Key</c> records older than <c>RetentionIdempotencyDays</c>: the <c>idempotency-xx</c>
/// partitions of the outbox table, filtered by their CreatedAt in the table service.
/// </summary>
public sealed class IdempotencyRetention(OrdersStorage storage, IConfiguration configuration) : IRetentionSource
{
    public string Name => "order-idempotency-keys";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, OrdersSettings.RetentionIdempotencyDays, OrdersSettings.DefaultRetentionIdempotencyDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        await storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {IdempotencyStore.PartitionPrefix} and PartitionKey lt {IdempotencyStore.PartitionRangeEnd} and CreatedAt lt {cutoff}");
        return await RetentionTables.DeleteMatchingAsync(storage.Outbox, filter, progress, cancellationToken).ConfigureAwait(false);
    }
}
