using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.DependencyInjection;
using static FunctionsJobs.IntegrationTests.Thumbnails.BlobScanHarness;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>The scan's receipts do not grow for ever: the retention clean-up removes those the watermark has made needless.</summary>
public sealed class ScanReceiptsRetentionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Receipts_behind_the_watermark_are_purged_and_a_restarted_scan_announces_nothing_again()
    {
        IReadOnlyDictionary<string, string> settings;
        await using (var first = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn()))
        {
            foreach (var id in new[] { "kept-1", "kept-2", "kept-3" })
            {
                await PutAndWaitDoneAsync(first, id);
            }

            settings = first.AllSettings;
            var receipts = first.Host.Services.GetRequiredService<BlobScanReceipts>();
            var container = first.Settings.ImagesContainer;
            var retention = first.Host.Services.GetServices<IRetentionSource>().OfType<ScanReceiptsRetention>().Single();
            var now = DateTimeOffset.UtcNow;
            var real = await receipts.ReadWatermarkAsync(container, CancellationToken.None);

            // The watermark has not passed them yet: nothing goes, however old the cutoff says they are.
            await receipts.WriteWatermarkAsync(container, now - TimeSpan.FromMinutes(10), CancellationToken.None);
            Assert.Equal(0, await retention.PurgeAsync(now.AddDays(1), new JobProgress(), CancellationToken.None));

            // Later the scan has handled everything up to well past them.
            await receipts.WriteWatermarkAsync(container, now + TimeSpan.FromMinutes(10), CancellationToken.None);
            Assert.Equal(3, await retention.PurgeAsync(now.AddDays(1), new JobProgress(), CancellationToken.None));
            Assert.Empty(await Receipts(azurite.ConnectionString, first).QueryAsync<TableEntity>(e => e.PartitionKey != "watermark").ToListAsync());

            // Back to what the scan had really handled (the future one was only to age the receipts).
            await receipts.WriteWatermarkAsync(container, real!.Value, CancellationToken.None);
        }

        await using var second = await ThumbnailHarness.StartAsync(azurite.ConnectionString, settings);
        await PutAndWaitDoneAsync(second, "after-purge");

        // The purged blobs are checked again after the restart, found done, and not announced.
        Assert.Equal(1, Announced(second.Host));
        Assert.Equal(1, DoneLines(second.Host));
    }
}
