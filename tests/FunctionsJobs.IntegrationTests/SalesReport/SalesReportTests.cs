using System.Text;
using Azure;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.IntegrationTests.SalesReport;

/// <summary>The nightly sales report against Azurite: content, re-runs, interruption and resumption, bad checkpoints.</summary>
public sealed class SalesReportTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_report_has_a_row_per_order_line_of_that_day_only_and_a_summary_of_every_status()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        var orders = await harness.SeedAsync(300);
        await using var reporter = harness.NewReporter();

        var run = await reporter.RunAsync();

        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Equal(300, run.ItemsProcessed);
        var (expectedCsv, expectedJson) = SalesReportHarness.Expected(orders);
        var csv = Encoding.UTF8.GetString(await reporter.CsvAsync());
        Assert.Equal(expectedCsv, csv);
        Assert.Equal(expectedJson, Encoding.UTF8.GetString(await reporter.JsonAsync()));

        // What the expectation is built from, checked on its own: the seeded day's ids and nothing of the days around it.
        var ids = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r[..OrderId.Length]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(orders.Select(o => o.Id).ToHashSet(StringComparer.Ordinal), ids);
        Assert.All(ids, id => Assert.StartsWith("20261122-", id, StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(await reporter.JsonAsync());
        Assert.All(Enum.GetNames<OrderStatus>(), s => Assert.True(json.RootElement.GetProperty("statuses").GetProperty(s).GetInt64() > 0, s));
        Assert.Equal(orders.Where(o => o.Status == OrderStatus.Completed).Sum(o => o.TotalCents), json.RootElement.GetProperty("totals").GetProperty("revenueCents").GetInt64());
        Assert.False(await reporter.CheckpointBlob.ExistsAsync());
        var blob = reporter.Reports.GetBlockBlobClient(NightlySalesReportJob.CsvBlobName(SalesReportHarness.Day));
        Assert.Equal("text/csv; charset=utf-8", (await blob.GetPropertiesAsync()).Value.ContentType);
        var blocks = (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToList();
        Assert.True(blocks.Count > 10, $"{blocks.Count} blocks");
        Assert.Equal(Enumerable.Range(0, blocks.Count).Select(NightlySalesReportJob.BlockId), blocks.Select(b => b.Name));
        Assert.All(blocks.SkipLast(1), b => Assert.InRange(b.SizeLong, SalesReportSettings.MinBlockBytes, SalesReportSettings.MinBlockBytes + 1024));
    }

    [Fact]
    public async Task Running_again_for_the_same_day_writes_the_same_bytes()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        await harness.SeedAsync(200);
        await using var reporter = harness.NewReporter();

        await reporter.RunAsync();
        var (csv, json) = (await reporter.CsvAsync(), await reporter.JsonAsync());
        var again = await reporter.RunAsync();

        Assert.Equal(JobOutcome.Succeeded, again.Outcome);
        Assert.Equal(csv, await reporter.CsvAsync());
        Assert.Equal(json, await reporter.JsonAsync());
    }

    [Fact]
    public async Task A_day_without_orders_gets_a_header_and_a_summary_of_zeros()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        await using var reporter = harness.NewReporter();

        var run = await reporter.RunAsync();

        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Equal(SalesReportHarness.Expected([]), (Encoding.UTF8.GetString(await reporter.CsvAsync()), Encoding.UTF8.GetString(await reporter.JsonAsync())));
    }

    [Fact]
    public async Task A_run_cancelled_midway_resumes_from_its_checkpoint_and_commits_the_bytes_of_an_uninterrupted_run()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        var orders = await harness.SeedAsync(1500);
        await using var uninterrupted = harness.NewReporter();
        await uninterrupted.RunAsync();
        await using var interrupted = harness.NewReporter();

        using var cancel = new CancellationTokenSource();
        var running = interrupted.RunAsync(cancel.Token);
        await interrupted.Logs.WaitForAsync(e => e.Message.Contains("checkpoint after block", StringComparison.Ordinal) && (int)e.Fields["Blocks"]! >= 10, Timeout);
        await cancel.CancelAsync();
        var cancelled = await running;

        Assert.Equal(JobOutcome.Cancelled, cancelled.Outcome);
        Assert.InRange(cancelled.ItemsProcessed, 1, orders.Count - 1);
        Assert.True(await interrupted.CheckpointBlob.ExistsAsync());
        Assert.False(await interrupted.Reports.GetBlobClient(NightlySalesReportJob.JsonBlobName(SalesReportHarness.Day)).ExistsAsync());

        var resumed = await interrupted.RunAsync();

        Assert.Equal(JobOutcome.Succeeded, resumed.Outcome);
        Assert.Equal(orders.Count, resumed.ItemsProcessed);
        var resuming = Assert.Single(interrupted.Logs.Entries, e => e.Message.Contains("resuming", StringComparison.Ordinal));
        Assert.True((long)resuming.Fields["Orders"]! > 0);
        Assert.Equal(await uninterrupted.CsvAsync(), await interrupted.CsvAsync());
        Assert.Equal(await uninterrupted.JsonAsync(), await interrupted.JsonAsync());
        Assert.Equal(SalesReportHarness.Expected(orders).Csv, Encoding.UTF8.GetString(await interrupted.CsvAsync()));
    }

    [Fact]
    public async Task When_the_staged_blocks_of_a_checkpoint_are_gone_the_report_starts_over_with_a_warning()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        var orders = await harness.SeedAsync(400);
        await using var reporter = harness.NewReporter();
        using var cancel = new CancellationTokenSource();
        var running = reporter.RunAsync(cancel.Token);
        await reporter.Logs.WaitForAsync(e => e.Message.Contains("checkpoint after block", StringComparison.Ordinal) && (int)e.Fields["Blocks"]! >= 3, Timeout);
        await cancel.CancelAsync();
        Assert.Equal(JobOutcome.Cancelled, (await running).Outcome);

        // Committing an empty list drops every uncommitted block, as their one-week expiry would.
        await reporter.Reports.GetBlockBlobClient(NightlySalesReportJob.CsvBlobName(SalesReportHarness.Day)).CommitBlockListAsync([]);
        var run = await reporter.RunAsync();

        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Single(reporter.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("are gone; the report starts over", StringComparison.Ordinal));
        Assert.Equal(SalesReportHarness.Expected(orders), (Encoding.UTF8.GetString(await reporter.CsvAsync()), Encoding.UTF8.GetString(await reporter.JsonAsync())));
    }

    public static TheoryData<string> CorruptedCheckpoints => new()
    {
        "{ this is not json",
        "null",
        """{"day":"2026-11-22","partition":3}""",
        """{"day":"2026-11-21","partition":3,"afterOrderId":"20261121-00000000000000000001","blocks":2,"bytes":2048,"rows":10,"summary":{"orders":5,"lines":10,"statuses":{},"skus":{}}}""",
        """{"day":"2026-11-22","partition":99,"afterOrderId":"20261122-00000000000000000001","blocks":2,"bytes":2048,"rows":10,"summary":{"orders":5,"lines":10,"statuses":{},"skus":{}}}""",
    };

    [Theory]
    [MemberData(nameof(CorruptedCheckpoints))]
    public async Task A_corrupted_checkpoint_is_discarded_with_a_warning_and_the_report_starts_over(string corrupted)
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        var orders = await harness.SeedAsync(150);
        await using var reporter = harness.NewReporter();
        await reporter.Checkpoints.CreateIfNotExistsAsync();
        await reporter.CheckpointBlob.UploadAsync(BinaryData.FromString(corrupted), overwrite: true);

        var run = await reporter.RunAsync();

        var warning = Assert.Single(reporter.Logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("starts over", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(reporter.Logs.Entries, e => e.Message.Contains("resuming", StringComparison.Ordinal));
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Equal(SalesReportHarness.Expected(orders), (Encoding.UTF8.GetString(await reporter.CsvAsync()), Encoding.UTF8.GetString(await reporter.JsonAsync())));
        Assert.False(await reporter.CheckpointBlob.ExistsAsync());
    }

    [Fact]
    public async Task A_manual_run_whose_input_is_not_a_day_fails_and_says_why()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        await using var reporter = harness.NewReporter();

        var run = await reporter.RunAsync(input: "yesterday");

        Assert.Equal(JobOutcome.Failed, run.Outcome);
        Assert.Contains("yyyy-MM-dd", run.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RequestFailedException>(() => reporter.Reports.GetPropertiesAsync());
    }
}
