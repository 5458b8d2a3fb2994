using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.SalesReport;

/// <summary>
/// The nightly sales report: one UTC day's orders (<see cref="SalesReportDay"/>) become
/// <c>sales/yyyy-MM-dd.csv</c> and <c>sales/yyyy-MM-dd.json</c> in the reports container. It reads
/// only the day's <see cref="OrderPartitions.ShardCount"/> partitions, one after the other, in key
/// order, so rows come in (partition, order id) order. The CSV is staged as blocks of the block blob
/// and committed at the end; after each block a checkpoint records the position and the summary so
/// far, so a run cut short resumes there. Block ids and boundaries follow from the rows alone, so a
/// resumed run commits the same bytes as an uninterrupted one, and a run for a day already reported
/// writes the same bytes again as long as the day's orders did not change (a report is regenerated,
/// not skipped: it shows the orders as they are when it runs).
/// </summary>
public sealed partial class NightlySalesReportJob(
    OrdersStorage orders, StorageAccount storage, SalesReportOptions options, TimeProvider time, ILogger<NightlySalesReportJob> logger) : IScheduledJob
{
    /// <summary>Azure's limit of committed blocks per blob.</summary>
    public const int MaxBlocks = 50_000;

    /// <summary>The most rows a table query returns per page.</summary>
    private const int PageSize = 1000;

    /// <summary>What the report reads of an order row; the history and payment details stay in storage.</summary>
    public static readonly IReadOnlyList<string> Columns = ["PartitionKey", "RowKey", "Status", "Lines", "Currency", "CreatedAt"];

    public string Name => SalesReportSettings.FunctionName;

    public string ScheduleSetting => SalesReportSettings.ScheduleSetting;

    public string DefaultSchedule => SalesReportSettings.DefaultSchedule;

    public static string CsvBlobName(DateOnly day) => $"sales/{SalesReportDay.Name(day)}.csv";

    public static string JsonBlobName(DateOnly day) => $"sales/{SalesReportDay.Name(day)}.json";

    /// <summary>Block ids of one blob must all have the same length; the index makes them the same in every run.</summary>
    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"sales-{index:D6}")));

    /// <summary>The query of one partition of the day, from its start or after an order already written.</summary>
    public static string PartitionFilter(string partitionKey, string? afterOrderId) => afterOrderId is null
        ? TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}")
        : TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {afterOrderId}");

    public async Task RunAsync(JobRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var day = SalesReportDay.Resolve(context.Input, context.ScheduledFor, time.GetUtcNow());
        var key = SalesReportDay.Name(day);
        await orders.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var container = storage.Blobs.GetBlobContainerClient(options.Container);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var csv = container.GetBlockBlobClient(CsvBlobName(day));

        var resumed = await ReadCheckpointAsync(context.Checkpoints, key, cancellationToken).ConfigureAwait(false);
        SalesSummary summary;
        try
        {
            summary = await WriteCsvAsync(context, csv, day, resumed, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (resumed is not null && ex.ErrorCode == BlobErrorCode.InvalidBlockList)
        {
            // The blocks the checkpoint counts on are gone (uncommitted blocks expire after a week, and
            // any commit of another block list drops them): the position is worthless, start over.
            LogBlocksLost(key, resumed.Blocks, csv.Name);
            await context.Checkpoints.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            summary = await WriteCsvAsync(context, csv, day, null, cancellationToken).ConfigureAwait(false);
        }

        // The JSON goes last: once it is there, the CSV beside it is complete.
        await container.GetBlobClient(JsonBlobName(day)).UploadAsync(
            BinaryData.FromBytes(summary.ToJson(day)),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken).ConfigureAwait(false);
        await context.Checkpoints.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        context.Progress.Set(summary.Orders, 100);
        LogWritten(key, summary.Orders, summary.Lines, container.Name, csv.Name);
    }

    private async Task<SalesReportCheckpoint?> ReadCheckpointAsync(JobCheckpoints checkpoints, string key, CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.ReadAsync<SalesReportCheckpoint>(key, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null)
        {
            return null;
        }

        if (!checkpoint.IsConsistentWith(key))
        {
            LogInconsistentCheckpoint(key);
            await checkpoints.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            return null;
        }

        LogResuming(key, checkpoint.Partition, checkpoint.AfterOrderId, checkpoint.Blocks, checkpoint.Summary.Orders);
        return checkpoint;
    }

    private async Task<SalesSummary> WriteCsvAsync(JobRunContext context, BlockBlobClient csv, DateOnly day, SalesReportCheckpoint? resumed, CancellationToken cancellationToken)
    {
        var key = SalesReportDay.Name(day);
        var partitions = OrderPartitions.ForDay(day);
        var summary = resumed?.Summary.Clone() ?? new SalesSummary();
        var blocks = resumed?.Blocks ?? 0;
        var bytes = resumed?.Bytes ?? 0;
        var rows = resumed?.Rows ?? 0;
        var first = resumed?.Partition ?? 0;

        // Two buffers take turns: one fills while the other is staged, so reading never waits for
        // an upload unless the upload is slower, and no buffer is allocated per block.
        var filling = new ArrayBufferWriter<byte>(options.BlockBytes + (64 * 1024));
        var staging = new ArrayBufferWriter<byte>(options.BlockBytes + (64 * 1024));
        var scratch = new StringBuilder();
        var pending = Task.CompletedTask;
        if (resumed is null)
        {
            SalesCsv.WriteHeader(filling);
        }

        context.Progress.Set(summary.Orders, 100.0 * first / partitions.Count);
        try
        {
            for (var p = first; p < partitions.Count; p++)
            {
                var filter = PartitionFilter(partitions[p], p == first ? resumed?.AfterOrderId : null);
                await foreach (var entity in PrefetchedAsync(orders.Orders.QueryAsync<TableEntity>(filter, PageSize, Columns, cancellationToken), cancellationToken).ConfigureAwait(false))
                {
                    var order = OrderStore.FromEntity(entity);
                    rows += SalesCsv.WriteOrder(filling, order, scratch);
                    summary.Add(order);
                    context.Progress.Set(summary.Orders, 100.0 * p / partitions.Count);
                    if (filling.WrittenCount < options.BlockBytes)
                    {
                        continue;
                    }

                    await pending.ConfigureAwait(false);
                    if (blocks + 1 >= MaxBlocks)
                    {
                        throw new InvalidOperationException($"the report of {key} needs more than {MaxBlocks} blocks: raise {SalesReportSettings.BlockBytesSetting} (now {options.BlockBytes})");
                    }

                    (filling, staging) = (staging, filling);
                    filling.ResetWrittenCount();
                    bytes += staging.WrittenCount;
                    var checkpoint = new SalesReportCheckpoint(key, p, order.Id, blocks + 1, bytes, rows, summary.Clone());
                    pending = StageAsync(csv, blocks, staging.WrittenMemory, context.Checkpoints, checkpoint, cancellationToken);
                    blocks++;
                }
            }

            await pending.ConfigureAwait(false);
        }
        catch
        {
            // Let an upload in flight end before the run does; the failure worth reporting is the first one.
            await pending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        if (filling.WrittenCount > 0)
        {
            await csv.StageBlockAsync(BlockId(blocks), new BinaryData(filling.WrittenMemory).ToStream(), cancellationToken: cancellationToken).ConfigureAwait(false);
            blocks++;
        }

        await csv.CommitBlockListAsync(
            Enumerable.Range(0, blocks).Select(BlockId),
            new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv; charset=utf-8" } },
            cancellationToken).ConfigureAwait(false);
        return summary;
    }

    /// <summary>
    /// The entities of a query, with the next page requested while the current one is processed:
    /// a pageable fetches a page only when asked, so the table service would otherwise idle while
    /// the rows are written, and the report would take the query's time plus its own.
    /// </summary>
    private static async IAsyncEnumerable<TableEntity> PrefetchedAsync(AsyncPageable<TableEntity> query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = query.AsPages(pageSizeHint: PageSize).GetAsyncEnumerator(cancellationToken);
        var next = pages.MoveNextAsync().AsTask();
        try
        {
            while (await next.ConfigureAwait(false))
            {
                var page = pages.Current;
                next = pages.MoveNextAsync().AsTask();
                foreach (var entity in page.Values)
                {
                    yield return entity;
                }
            }
        }
        finally
        {
            // A reader that stops early (cancelled, failed) leaves a page in flight: let it land before disposing.
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await pages.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StageAsync(BlockBlobClient csv, int index, ReadOnlyMemory<byte> block, JobCheckpoints checkpoints, SalesReportCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await csv.StageBlockAsync(BlockId(index), new BinaryData(block).ToStream(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await checkpoints.WriteAsync(checkpoint.Day, checkpoint, cancellationToken).ConfigureAwait(false);
        LogCheckpoint(checkpoint.Day, checkpoint.Blocks, checkpoint.Summary.Orders, checkpoint.AfterOrderId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sales report {Day}: resuming in partition {Partition} after order {AfterOrderId}, {Blocks} blocks and {Orders} orders done")]
    private partial void LogResuming(string day, int partition, string afterOrderId, int blocks, long orders);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sales report {Day}: checkpoint after block {Blocks}, {Orders} orders, last order {AfterOrderId}")]
    private partial void LogCheckpoint(string day, int blocks, long orders, string afterOrderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sales report {Day}: the checkpoint is not a position of this report and was discarded; the report starts over")]
    private partial void LogInconsistentCheckpoint(string day);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sales report {Day}: the {Blocks} staged blocks of {BlobName} that the checkpoint counts on are gone; the report starts over")]
    private partial void LogBlocksLost(string day, int blocks, string blobName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sales report {Day}: {Orders} orders, {Lines} lines written to {Container}/{BlobName}")]
    private partial void LogWritten(string day, long orders, long lines, string container, string blobName);
}
