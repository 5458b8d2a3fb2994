using System.Diagnostics;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Xunit.Abstractions;
using static FunctionsJobs.IntegrationTests.Thumbnails.BlobScanHarness;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>The scan under load, with two Host instances, and across an Azurite restart: each on an Azurite of its own.</summary>
public sealed class BlobScanFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_blobs_written_at_once_are_each_made_once_by_two_hosts()
    {
        const int Count = 1000;
        await using var azurite = await AzuriteServer.StartAsync();
        await using var first = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());
        await using var second = await StartAnotherAsync(azurite.ConnectionString, first);
        var image = TestImages.Jpeg(32, 24);
        var ids = Enumerable.Range(0, Count).Select(i => $"burst-{i:D4}").ToList();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, _) => await first.PutBlobAsync($"{id}.jpg", image));
        var written = clock.Elapsed;
        await QueueHarness.EventuallyAsync(
            () => Task.FromResult(DoneLines(first.Host) + DoneLines(second.Host) >= Count), $"{Count} images done", TimeSpan.FromMinutes(5));
        await first.AssertQueueSettledAsync();
        output.WriteLine($"{Count} blobs written in {written.TotalSeconds:F1} s, all done {clock.Elapsed.TotalSeconds:F1} s after the first write; " +
            $"announced {Announced(first.Host)} + {Announced(second.Host)}, made {DoneLines(first.Host)} + {DoneLines(second.Host)}");

        // The receipts let one instance announce each blob; each image was made once, by either Host.
        Assert.Equal(Count, Announced(first.Host) + Announced(second.Host));
        Assert.Equal(Count, DoneLines(first.Host) + DoneLines(second.Host));
        foreach (var id in ids)
        {
            Assert.Equal(1, first.DoneCount(id) + second.DoneCount(id));
        }

        var records = await first.Store.ListAsync(CancellationToken.None).ToListAsync();
        Assert.Equal(Count, records.Count(r => r.Status == ImageStatus.Done));
    }

    [Fact]
    public async Task The_scan_resumes_by_itself_after_Azurite_restarts()
    {
        var location = Directory.CreateTempSubdirectory("functionsjobs-azurite-").FullName;
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(location);
            await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());
            await PutAndWaitDoneAsync(harness, "before-restart");

            await azurite.StopAsync();
            bool Scan(LogEntry e) => e.Category == typeof(Host.Thumbnails.ThumbnailBlobScanService).FullName;
            await harness.Host.Logs.WaitForAsync(e => Scan(e) && e.Message.Contains("scan failed", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await azurite.StartAgainAsync();
            await harness.Host.Logs.WaitForAsync(e => Scan(e) && e.Message.Contains("scanning resumed", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            await PutAndWaitDoneAsync(harness, "after-restart");
            Assert.Equal(2, Announced(harness.Host));
            Assert.Equal(1, harness.DoneCount("before-restart"));
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }
}
