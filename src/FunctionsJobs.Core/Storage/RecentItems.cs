using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Storage;

/// <summary>
/// "The latest N orders (or images)" without paging through their tables, whose keys follow ids
/// (orders: day and hash shard; images: the image id), not time. Each record is also written here
/// once, when it is created: PartitionKey <c>{kind}-{inverted day}</c>, RowKey
/// <c>{inverted ticks}-{id}</c>, so newer days and newer rows sort first and the latest N are the
/// first N rows of one range query. A day per partition keeps each partition bounded and lets the
/// retention clean-up drop old days (<c>RetentionRecentItemsDays</c>).
/// </summary>
public sealed partial class RecentItems
{
    public const string TableSetting = "RecentItemsTableName";
    public const string DefaultTable = "RecentItems";
    public const string Orders = "orders";
    public const string Images = "images";

    private readonly TableClient _table;
    private readonly CreateOnce _created;
    private readonly ILogger<RecentItems> _logger;

    public RecentItems(StorageAccount storage, IConfiguration configuration, ILogger<RecentItems> logger)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _table = storage.Tables.GetTableClient(configuration.GetSetting(TableSetting, DefaultTable));
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
        _logger = logger;
    }

    public TableClient Table => _table;

    /// <summary>
    /// Records that <paramref name="id"/> was created at <paramref name="at"/>. Best effort: the record
    /// itself is written and the caller's work goes on; an item missing here is only missing from
    /// the dashboard's latest list.
    /// </summary>
    public async Task TryAddAsync(string kind, string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entity = EntityOf(kind, id, at);
        try
        {
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            LogAddFailed(ex, kind, id);
        }
    }

    /// <summary>The row that records <paramref name="id"/> (the benchmarks' baselines write the same rows).</summary>
    public static TableEntity EntityOf(string kind, string id, DateTimeOffset at) =>
        new(PartitionOf(kind, at), $"{JobRunHistory.InvertedTicks(at)}-{id}") { ["ItemId"] = id };

    /// <summary>Up to <paramref name="max"/> ids of <paramref name="kind"/>, newest first, each once.</summary>
    public async Task<IReadOnlyList<string>> LatestAsync(string kind, int max, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey gt {kind + "-"} and PartitionKey lt {kind + "."}");
        var ids = new List<string>(max);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: max, select: ["ItemId"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetString("ItemId") is { } id && seen.Add(id))
            {
                ids.Add(id);
                if (ids.Count == max)
                {
                    break;
                }
            }
        }

        return ids;
    }

    /// <summary>Newer days sort first: the day is written as 99999999 minus yyyyMMdd.</summary>
    public static string PartitionOf(string kind, DateTimeOffset at)
    {
        var day = int.Parse(at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{kind}-{99999999 - day:D8}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recent {Kind}: could not index {ItemId}; it will be missing from the dashboard's latest list")]
    private partial void LogAddFailed(Exception exception, string kind, string itemId);
}

/// <summary>Index rows older than <c>RetentionRecentItemsDays</c> (7): the dashboard shows the latest, not the history.</summary>
public sealed class RecentItemsRetention(RecentItems recent, IConfiguration configuration) : IRetentionSource
{
    public const string DaysSetting = "RetentionRecentItemsDays";
    public const int DefaultDays = 7;

    public string Name => "recent-items";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, DaysSetting, DefaultDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recent);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {JobRunHistory.InvertedTicks(cutoff)}");
        return await RetentionTables.DeleteMatchingAsync(recent.Table, filter, progress, cancellationToken).ConfigureAwait(false);
    }
}
