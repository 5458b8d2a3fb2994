using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Scheduling.Retention;

/// <summary>Run history older than <c>RetentionJobRunsDays</c>: a row-key range per job, deleted 100 rows per transaction.</summary>
public sealed class JobRunsRetention(JobRunHistory history, IConfiguration configuration) : IRetentionSource
{
    private const int TransactionSize = 100;

    public string Name => "job-runs";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, RetentionSettings.JobRunsDaysSetting, RetentionSettings.DefaultJobRunsDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var table = history.Table;

        // Row keys start with the inverted start time, so "started before the cutoff" is "row key at or above it".
        var filter = TableClient.CreateQueryFilter($"RowKey ge {JobRunHistory.InvertedTicks(cutoff)}");
        long deleted = 0;
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
            {
                foreach (var chunk in page.Values.GroupBy(e => e.PartitionKey).SelectMany(g => g.Chunk(TransactionSize)))
                {
                    await DeleteAsync(table, chunk, cancellationToken).ConfigureAwait(false);
                    deleted += chunk.Length;
                    progress.Add(chunk.Length);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No job has ever run: nothing to delete.
        }

        return deleted;
    }

    private static async Task DeleteAsync(TableClient table, TableEntity[] rows, CancellationToken cancellationToken)
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
