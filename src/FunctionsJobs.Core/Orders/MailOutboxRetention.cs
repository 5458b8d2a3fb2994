using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// E-mail outbox records older than <c>RetentionOutboxDays</c>, but only those of terminal (or
/// vanished) orders: while an order is not terminal a delivery may still come, and its outbox row
/// is what keeps it from sending an e-mail twice. A terminal order's deliveries change nothing,
/// so its rows are no longer needed. One point read per old order decides.
/// </summary>
public sealed partial class MailOutboxRetention(OrdersStorage storage, OrderStore orders, IConfiguration configuration, ILogger<MailOutboxRetention> logger) : IRetentionSource
{
    public string Name => "order-mail-outbox";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, OrdersSettings.RetentionOutboxDays, OrdersSettings.DefaultRetentionOutboxDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        await storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {MailOutbox.RowKeyPrefix} and RowKey lt {MailOutbox.RowKeyRangeEnd} and CreatedAt lt {cutoff}");
        long deleted = 0;
        await foreach (var page in storage.Outbox.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            var expired = new List<TableEntity>();
            foreach (var rows in page.Values.GroupBy(r => r.PartitionKey))
            {
                var order = OrderId.IsValid(rows.Key) ? await orders.GetAsync(rows.Key, cancellationToken).ConfigureAwait(false) : null;
                if (order is { IsTerminal: false })
                {
                    LogKept(rows.Key, order.Status.ToString());
                    continue;
                }

                expired.AddRange(rows);
            }

            deleted += await RetentionTables.DeleteAsync(storage.Outbox, expired, progress, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: outbox records of order {OrderId} are old but kept: the order is {Status}, not terminal")]
    private partial void LogKept(string orderId, string status);
}
