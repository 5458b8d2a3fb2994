using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>At-least-once delivery, racing consumers, the scan, and new content under the same name.</summary>
public sealed class IdempotencyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_same_event_delivered_twice_does_the_work_once()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var stored = await harness.PutBlobAsync("twice.jpg", TestImages.Jpeg(800, 600));
        var handler = harness.Host.Services.GetRequiredService<ThumbnailEventHandler>();
        var blobEvent = BlobEvent.Create(BlobEvent.BlobCreated, harness.Images.Uri, harness.Settings.ImagesContainer, "twice.jpg", stored.ETag.ToString(), null, null, "PutBlob", DateTimeOffset.UtcNow);

        await DuplicateDelivery.DeliverTwiceAsync(handler, blobEvent);

        var record = await harness.RecordAsync("twice");
        Assert.Equal(ImageStatus.Done, record.Status);
        Assert.Single(harness.Host.Logs.Entries, e => e.Message.Contains("image twice (twice.jpg) done", StringComparison.Ordinal));
        Assert.Single(harness.Host.Logs.Entries, e => e.Message.Contains("image twice (twice.jpg) already Done for this content; no work", StringComparison.Ordinal));
        var written = await LastModifiedAsync(harness);

        // And through the queue: a third and fourth delivery of the same event change nothing either.
        await harness.SendEventAsync("twice.jpg", stored.ETag.ToString());
        await harness.SendEventAsync("twice.jpg", stored.ETag.ToString());
        await harness.Host.Logs.WaitForAsync(e => harness.Host.Logs.Entries.Count(x => x.Message.Contains("twice.jpg) already Done", StringComparison.Ordinal)) == 3, TimeSpan.FromSeconds(60));
        await harness.AssertQueueSettledAsync();
        Assert.Equal(written, await LastModifiedAsync(harness));
        Assert.Equal(record.RowETag, (await harness.RecordAsync("twice")).RowETag);
    }

    [Fact]
    public async Task Two_deliveries_racing_end_with_one_complete_version_and_no_stray_blobs()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var stored = await harness.PutBlobAsync("race.jpg", TestImages.Jpeg(1600, 1200));
        var notice = new BlobNotice(harness.Settings.ImagesContainer, "race.jpg", stored.ETag.ToString());
        var outcomes = new List<ThumbnailOutcome>();
        var handler = new RecordingNoticeHandler(harness.Handler, outcomes);

        await DuplicateDelivery.DeliverRacingAsync(handler, handler, notice);

        Assert.Contains(ThumbnailOutcome.Done, outcomes);
        Assert.All(outcomes, o => Assert.Contains(o, new[] { ThumbnailOutcome.Done, ThumbnailOutcome.AlreadyDone }));
        var record = await harness.RecordAsync("race");
        Assert.Equal(ImageStatus.Done, record.Status);
        Assert.Equal(["race/" + record.Version + "/128.jpg", "race/" + record.Version + "/256.jpg", "race/" + record.Version + "/512.jpg"], await harness.ThumbnailBlobsAsync());
    }

    [Fact]
    public async Task New_content_under_the_same_name_replaces_every_size_and_removes_the_old_version()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var first = await harness.PutBlobAsync("same.jpg", TestImages.Jpeg(1600, 1200));
        await harness.Handler.HandleAsync(new BlobNotice(harness.Settings.ImagesContainer, "same.jpg", first.ETag.ToString()), CancellationToken.None);
        var before = await harness.RecordAsync("same");

        var second = await harness.PutBlobAsync("same.jpg", TestImages.Jpeg(600, 1200));
        var outcome = await harness.Handler.HandleAsync(new BlobNotice(harness.Settings.ImagesContainer, "same.jpg", second.ETag.ToString()), CancellationToken.None);

        Assert.Equal(ThumbnailOutcome.Done, outcome);
        var after = await harness.RecordAsync("same");
        Assert.NotEqual(before.Version, after.Version);
        Assert.Equal(ImageRecord.NormalizeETag(second.ETag.ToString()), after.SourceETag);
        var blobs = await harness.ThumbnailBlobsAsync();
        Assert.Equal([$"same/{after.Version}/128.jpg", $"same/{after.Version}/256.jpg", $"same/{after.Version}/512.jpg"], blobs);
        foreach (var name in blobs)
        {
            var content = (await harness.Thumbnails.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
            var (width, height, _) = TestImages.Inspect(content);
            Assert.Equal(height, width * 2);
        }

        // The stale event of the first content now finds the second one done: no work.
        Assert.Equal(ThumbnailOutcome.AlreadyDone, await harness.Handler.HandleAsync(new BlobNotice(harness.Settings.ImagesContainer, "same.jpg", first.ETag.ToString()), CancellationToken.None));
    }

    [Fact]
    public async Task The_scan_queues_blobs_no_event_announced_and_finds_nothing_to_do_the_second_time()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var scan = harness.Host.Services.GetRequiredService<ThumbnailScanner>();
        await harness.PutBlobAsync("quiet1.jpg", TestImages.Jpeg(400, 300));
        await harness.PutBlobAsync("quiet2.png", TestImages.Png(300, 400));
        await harness.PutBlobAsync("bad name.jpg", TestImages.Jpeg(64, 64));

        var first = await scan.ScanAsync(CancellationToken.None);

        Assert.Equal(new ScanResult(3, 3), first);
        await harness.WaitForOutcomeAsync("quiet1", "done");
        await harness.WaitForOutcomeAsync("quiet2", "done");
        await harness.Host.Logs.WaitForAsync(e => e.Message.Contains("bad name.jpg rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await harness.AssertQueueSettledAsync();

        Assert.Equal(new ScanResult(3, 0), await scan.ScanAsync(CancellationToken.None));

        // A changed blob has a new ETag: the scan queues it again.
        await harness.PutBlobAsync("quiet1.jpg", TestImages.Jpeg(300, 400));
        Assert.Equal(new ScanResult(3, 1), await scan.ScanAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_image_uploaded_by_http_and_done_is_left_alone_by_the_scan()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var id = await harness.UploadAsync(TestImages.Jpeg(640, 480));
        await harness.WaitForOutcomeAsync(id, "done");

        var result = await harness.Host.Services.GetRequiredService<ThumbnailScanner>().ScanAsync(CancellationToken.None);

        Assert.Equal(new ScanResult(1, 0), result);
    }

    [Fact]
    public async Task Deleting_an_image_removes_its_thumbnails_once_the_scan_sees_it_gone()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, new Dictionary<string, string> { [ThumbnailSettings.ScanIntervalSetting] = "00:00:01" });
        var stored = await harness.PutBlobAsync("gone.jpg", TestImages.Jpeg(400, 300));
        await harness.SendEventAsync("gone.jpg", stored.ETag.ToString());
        await harness.WaitForOutcomeAsync("gone", "done");
        Assert.Equal(3, (await harness.ThumbnailBlobsAsync()).Count);

        await harness.Images.DeleteBlobAsync("gone.jpg");
        await harness.WaitForOutcomeAsync("gone", "was deleted", TimeSpan.FromSeconds(60));

        Assert.Empty(await harness.ThumbnailBlobsAsync());
        var record = await harness.RecordAsync("gone");
        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.Contains("was deleted; its thumbnails were removed", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_one_host_scans_at_a_time_and_not_again_within_half_an_interval()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var scanner = harness.Host.Services.GetRequiredService<ThumbnailScanService>();
        await using var second = await TestHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string>
        {
            [ThumbnailSettings.ImagesContainerSetting] = harness.Settings.ImagesContainer,
            [ThumbnailSettings.ThumbnailsContainerSetting] = harness.Settings.ThumbnailsContainer,
            [ThumbnailSettings.StatusTableSetting] = harness.Settings.StatusTable,
            [ThumbnailSettings.EventsQueueSetting] = harness.Settings.EventsQueue,
            [ThumbnailSettings.ScanIntervalSetting] = "01:00:00",
        });

        // Both hosts ran their start-up pass: exactly one of them scanned.
        await QueueHarnessWait(() => scanner.Completed + second.Services.GetRequiredService<ThumbnailScanService>().Completed == 1);
        Assert.Null(await scanner.RunOnceAsync(CancellationToken.None));
        Assert.Contains(harness.Host.Logs.Entries.Concat(second.Logs.Entries), e => e.Message.Contains("scan skipped", StringComparison.Ordinal));
    }

    private static Task QueueHarnessWait(Func<bool> condition) =>
        Queues.QueueHarness.EventuallyAsync(() => Task.FromResult(condition()), "one scan completed");

    private static async Task<List<DateTimeOffset>> LastModifiedAsync(ThumbnailHarness harness)
    {
        var result = new List<DateTimeOffset>();
        await foreach (var blob in harness.Thumbnails.GetBlobsAsync())
        {
            result.Add(blob.Properties.LastModified!.Value);
        }

        return result;
    }

    private sealed class RecordingNoticeHandler(ThumbnailHandler inner, List<ThumbnailOutcome> outcomes) : Core.Queues.IQueueHandler<BlobNotice>
    {
        public async Task HandleAsync(BlobNotice message, Core.Queues.QueueMessageContext context, CancellationToken cancellationToken)
        {
            var outcome = await inner.HandleAsync(message, cancellationToken);
            lock (outcomes)
            {
                outcomes.Add(outcome);
            }
        }
    }
}
