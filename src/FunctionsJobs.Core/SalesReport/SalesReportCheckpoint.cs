using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.Core.SalesReport;

/// <summary>
/// Where a report run stands, written after each staged block: the CSV up to and including order
/// <see cref="AfterOrderId"/> of partition <see cref="Partition"/> is in blocks 0 to
/// <see cref="Blocks"/> - 1, and <see cref="Summary"/> counts exactly those orders. A resumed run
/// queries that partition for row keys after <see cref="AfterOrderId"/>: an exact position, where a
/// table continuation token could only name the start of a page, and a block ends mid-page.
/// </summary>
/// <param name="Day">The report's day (<c>yyyy-MM-dd</c>), also the checkpoint's key.</param>
/// <param name="Partition">Index into <see cref="OrderPartitions.ForDay"/>.</param>
public sealed record SalesReportCheckpoint(string Day, int Partition, string AfterOrderId, int Blocks, long Bytes, long Rows, SalesSummary Summary)
{
    /// <summary>Whether the checkpoint can be a position of the report of <paramref name="day"/>; one that cannot is discarded.</summary>
    public bool IsConsistentWith(string day) =>
        Day == day
        && Partition is >= 0 and < OrderPartitions.ShardCount
        && OrderId.IsValid(AfterOrderId)
        && Blocks is > 0 and <= NightlySalesReportJob.MaxBlocks
        && Bytes > 0 && Rows >= 0
        && Summary is { Orders: >= 0, Lines: >= 0, Statuses: not null, Skus: not null }
        && Summary.Skus.Values.All(s => s is not null);
}
