using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.SalesReport;

namespace FunctionsJobs.UnitTests.SalesReport;

public sealed class SalesReportCheckpointTests
{
    private const string OrderId = "20261122-00000000000000000001";

    [Fact]
    public void A_checkpoint_reads_back_as_it_was_written()
    {
        var summary = new SalesSummary();
        summary.Add(SalesOrders.Of(OrderId, Core.Orders.OrderStatus.Completed, new Core.Orders.OrderLine("KETTLE", 2, 4500)));
        var checkpoint = new SalesReportCheckpoint("2026-11-22", 7, OrderId, 12, 12_345, 99, summary);

        var json = JsonSerializer.SerializeToUtf8Bytes(checkpoint, JobJson.Options);
        var read = JsonSerializer.Deserialize<SalesReportCheckpoint>(json, JobJson.Options)!;

        Assert.Equal((checkpoint.Day, checkpoint.Partition, checkpoint.AfterOrderId, checkpoint.Blocks, checkpoint.Bytes, checkpoint.Rows), (read.Day, read.Partition, read.AfterOrderId, read.Blocks, read.Bytes, read.Rows));
        Assert.Equal(2, read.Summary.Skus["KETTLE"].Sold);
        Assert.Equal(1, read.Summary.Statuses["Completed"]);
        Assert.True(read.IsConsistentWith("2026-11-22"));
    }

    [Theory]
    [InlineData("""{"day":"2026-11-22","partition":1,"afterOrderId":"20261122-00000000000000000001","blocks":1,"bytes":10,"rows":1}""")]
    [InlineData("""{"day":"2026-11-22","partition":"one","afterOrderId":"x","blocks":1,"bytes":10,"rows":1,"summary":{}}""")]
    [InlineData("""{"day":"2026-11-22","partition":1,"afterOrderId":null,"blocks":1,"bytes":10,"rows":1,"summary":{}}""")]
    public void A_checkpoint_missing_a_field_or_with_a_wrong_type_does_not_read(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<SalesReportCheckpoint>(json, JobJson.Options));

    [Theory]
    [InlineData("2026-11-21", 0, OrderId, 1)]
    [InlineData("2026-11-22", 16, OrderId, 1)]
    [InlineData("2026-11-22", -1, OrderId, 1)]
    [InlineData("2026-11-22", 0, "not-an-order", 1)]
    [InlineData("2026-11-22", 0, OrderId, 0)]
    [InlineData("2026-11-22", 0, OrderId, NightlySalesReportJob.MaxBlocks + 1)]
    public void A_checkpoint_that_cannot_be_a_position_of_the_day_is_not_consistent(string day, int partition, string afterOrderId, int blocks) =>
        Assert.False(new SalesReportCheckpoint(day, partition, afterOrderId, blocks, 10, 1, new SalesSummary()).IsConsistentWith("2026-11-22"));

    [Fact]
    public void Block_ids_have_one_length_and_are_the_same_in_every_run()
    {
        Assert.Equal(NightlySalesReportJob.BlockId(0).Length, NightlySalesReportJob.BlockId(NightlySalesReportJob.MaxBlocks).Length);
        Assert.Equal("c2FsZXMtMDAwMDAw", NightlySalesReportJob.BlockId(0));
        Assert.NotEqual(NightlySalesReportJob.BlockId(1), NightlySalesReportJob.BlockId(2));
    }

    [Fact]
    public void A_resumed_partition_query_starts_after_the_last_order_written()
    {
        Assert.Equal("PartitionKey eq '20261122-0a'", NightlySalesReportJob.PartitionFilter("20261122-0a", null));
        Assert.Equal($"PartitionKey eq '20261122-0a' and RowKey gt '{OrderId}'", NightlySalesReportJob.PartitionFilter("20261122-0a", OrderId));
    }
}
