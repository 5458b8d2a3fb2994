using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;

namespace FunctionsJobs.Core.Retention;

/// <summary>Deleting table rows for the retention sources: one entity-group transaction per 100 rows of a partition.</summary>
public static class RetentionTables
{
    private const int TransactionSize = 100;

    /// <summary>
    /// Deletes the rows matching <paramref name="filter"/>, a page of keys at a time (never the whole
    /// result in memory), reporting each batch; returns how many. A table that does not exist yet
    /// holds nothing to delete.
    /// </summary>
    public static async Task<long> DeleteMatchingAsync(TableClient table, string filter, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        long deleted = 0;
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
            {
                deleted += await DeleteAsync(table, page.Values, progress, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The table was never created: nothing was ever written to it.
        }

        return deleted;
    }

    /// <summary>Deletes <paramref name="rows"/> (keys suffice), reporting each batch; returns how many.</summary>
    public static async Task<long> DeleteAsync(TableClient table, IEnumerable<TableEntity> rows, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(progress);
        long deleted = 0;
        foreach (var chunk in rows.GroupBy(e => e.PartitionKey).SelectMany(g => g.Chunk(TransactionSize)))
        {
            await DeleteBatchAsync(table, chunk, cancellationToken).ConfigureAwait(false);
            deleted += chunk.Length;
            progress.Add(chunk.Length);
        }

        return deleted;
    }

    private static async Task DeleteBatchAsync(TableClient table, TableEntity[] rows, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException)
        {
            // One row already gone (a run cut short and repeated) fails the whole transaction: delete one by one.
            foreach (var row in rows)
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
