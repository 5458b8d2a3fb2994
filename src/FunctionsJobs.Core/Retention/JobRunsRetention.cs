using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Retention;

/// <summary>Run history older than <c>RetentionJobRunsDays</c>: a row-key range per job, deleted 100 rows per transaction.</summary>
public sealed class JobRunsRetention(JobRunHistory history, IConfiguration configuration) : IRetentionSource
{
    public string Name => "job-runs";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, RetentionSettings.JobRunsDaysSetting, RetentionSettings.DefaultJobRunsDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var table = history.Table;

        // Row keys start with the inverted start time, so "started before the cutoff" is "row key at or above it".
        var filter = TableClient.CreateQueryFilter($"RowKey ge {JobRunHistory.InvertedTicks(cutoff)}");
        return await RetentionTables.DeleteMatchingAsync(table, filter, progress, cancellationToken).ConfigureAwait(false);
    }
}
