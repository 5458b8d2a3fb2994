using System.Text;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>The reconciliation job and the orphaned-thumbnails retention, on the real Host and Azurite.</summary>
public sealed class ReconciliationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // No grace: a blob put a moment ago counts as missed at once.
    private static readonly Dictionary<string, string> NoGrace = new() { [ThumbnailSettings.ReconciliationGraceSetting] = "00:00:00" };

    [Fact]
    public async Task An_image_missing_a_size_gets_it_back_after_a_reconciliation_run()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var id = await harness.UploadAsync(TestImages.Jpeg(1200, 900));
        await harness.WaitForOutcomeAsync(id, "done");
        var record = await harness.RecordAsync(id);
        var complete = await harness.ThumbnailBlobsAsync();
        await harness.Thumbnails.DeleteBlobAsync($"{id}/{record.Version}/256.jpg");

        Assert.Equal(1, await harness.ReconcileAsync());

        await harness.Host.Logs.WaitForAsync(_ => harness.DoneCount(id) == 2, TimeSpan.FromSeconds(60));
        await harness.AssertQueueSettledAsync();
        Assert.Equal(complete, await harness.ThumbnailBlobsAsync());
        var after = await harness.RecordAsync(id);
        Assert.Equal((ImageStatus.Done, record.Version), (after.Status, after.Version));
        Assert.Equal(0, await harness.ReconcileAsync());
    }

    [Fact]
    public async Task A_complete_image_causes_no_event_and_no_work()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, NoGrace);
        var id = await harness.UploadAsync(TestImages.Jpeg(640, 480));
        await harness.WaitForOutcomeAsync(id, "done");
        await harness.AssertQueueSettledAsync();
        var handled = harness.Host.Logs.Entries.Count(e => e.Category == typeof(ThumbnailHandler).FullName);

        Assert.Equal(0, await harness.ReconcileAsync());
        Assert.Equal(0, await harness.ReconcileAsync());

        Assert.Equal(0, (await harness.Events.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(handled, harness.Host.Logs.Entries.Count(e => e.Category == typeof(ThumbnailHandler).FullName));
    }

    [Fact]
    public async Task Failed_and_rejected_images_are_not_queued_again()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, NoGrace);
        await harness.PutBlobAsync("notes.jpg", Encoding.UTF8.GetBytes("not an image at all"));
        await harness.PutBlobAsync("bad name.jpg", TestImages.Jpeg(64, 64));

        // The first pass finds both without a receipt; the handler records why each can never become thumbnails.
        Assert.Equal(2, await harness.ReconcileAsync());
        await harness.WaitForOutcomeAsync("notes", "failed");
        await harness.Host.Logs.WaitForAsync(e => e.Message.Contains("bad name.jpg rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await harness.AssertQueueSettledAsync();

        Assert.Equal(0, await harness.ReconcileAsync());
        Assert.Equal(0, await harness.ReconcileAsync());
        Assert.Equal(ImageStatus.Failed, (await harness.RecordAsync("notes")).Status);

        // New content under the failed name is new work.
        await harness.PutBlobAsync("notes.jpg", TestImages.Jpeg(320, 240));
        Assert.Equal(1, await harness.ReconcileAsync());
        await harness.WaitForOutcomeAsync("notes", "done");
    }

    [Fact]
    public async Task Duplicate_runs_and_duplicate_or_racing_events_still_make_one_correct_set()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var stored = await harness.PutBlobAsync("dup.jpg", TestImages.Jpeg(1600, 1200));
        await harness.SendEventAsync("dup.jpg", stored.ETag.ToString());
        await harness.WaitForOutcomeAsync("dup", "done");
        var record = await harness.RecordAsync("dup");
        var complete = await harness.ThumbnailBlobsAsync();
        await harness.Thumbnails.DeleteBlobAsync($"dup/{record.Version}/512.jpg");
        await harness.Thumbnails.DeleteBlobAsync($"dup/{record.Version}/128.jpg");

        // Two runs before the listener gets to the first event, then the same event delivered twice and raced.
        var runs = await Task.WhenAll(harness.ReconcileAsync(), harness.ReconcileAsync());
        Assert.InRange(runs.Sum(), 1, 2);
        var handler = harness.Host.Services.GetRequiredService<ThumbnailEventHandler>();
        var repair = BlobEvent.Create(BlobEvent.BlobCreated, harness.Images.Uri, harness.Settings.ImagesContainer, "dup.jpg", stored.ETag.ToString(), null, null, ThumbnailReconciliationSettings.EventApi, DateTimeOffset.UtcNow);
        await DuplicateDelivery.DeliverRacingAsync(handler, handler, repair);
        await DuplicateDelivery.DeliverTwiceAsync(handler, repair);

        await harness.AssertQueueSettledAsync();
        Assert.Equal(complete, await harness.ThumbnailBlobsAsync());
        var after = await harness.RecordAsync("dup");
        Assert.Equal((ImageStatus.Done, record.Version), (after.Status, after.Version));
        Assert.Equal(0, await harness.ReconcileAsync());
    }

    [Fact]
    public async Task A_blob_no_event_announced_is_queued_once_and_a_deleted_one_loses_its_thumbnails()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, NoGrace);
        await harness.PutBlobAsync("quiet.jpg", TestImages.Jpeg(400, 300));
        await harness.PutBlobAsync("quiet2.png", TestImages.Png(300, 400));

        Assert.Equal(2, await harness.ReconcileAsync());
        await harness.WaitForOutcomeAsync("quiet", "done");
        await harness.WaitForOutcomeAsync("quiet2", "done");
        await harness.AssertQueueSettledAsync();
        Assert.Equal(0, await harness.ReconcileAsync());
        Assert.Equal(6, (await harness.ThumbnailBlobsAsync()).Count);

        await harness.Images.DeleteBlobAsync("quiet.jpg");
        Assert.Equal(1, await harness.ReconcileAsync());
        await harness.WaitForOutcomeAsync("quiet", "was deleted");

        Assert.All(await harness.ThumbnailBlobsAsync(), name => Assert.StartsWith("quiet2/", name, StringComparison.Ordinal));
        var record = await harness.RecordAsync("quiet");
        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.Contains("was deleted; its thumbnails were removed", record.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await harness.ReconcileAsync());
    }

    [Fact]
    public async Task A_pass_cut_short_resumes_from_its_checkpoint()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, NoGrace);
        await harness.PutBlobAsync("resumed.jpg", TestImages.Jpeg(200, 100));
        var job = harness.Host.Services.GetRequiredService<ThumbnailReconciliationJob>();
        var checkpoints = harness.Host.Services.GetRequiredService<JobCheckpointStore>().For(job.Name);

        // A previous run finished the images phase and stopped: only the records phase is left.
        await checkpoints.WriteAsync("pass", new ReconciliationPlace(ReconciliationPhase.Records, null, 1, 0), CancellationToken.None);
        Assert.Equal(0, await harness.ReconcileAsync());
        Assert.Contains(harness.Host.Logs.Entries, e => e.Message.Contains("reconciliation resumes in phase Records", StringComparison.Ordinal));

        // The finished pass removed its checkpoint: the next one starts over and finds the blob.
        Assert.Null(await checkpoints.ReadAsync<ReconciliationPlace>("pass", CancellationToken.None));
        Assert.Equal(1, await harness.ReconcileAsync());
    }

    [Fact]
    public async Task Orphaned_thumbnails_are_deleted_only_when_the_source_is_gone_and_they_are_old_enough()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var retention = harness.Host.Services.GetServices<IRetentionSource>().OfType<OrphanedThumbnailsRetention>().Single();
        Assert.Equal(TimeSpan.FromDays(7), retention.Retention);

        foreach (var name in new[] { "kept.jpg", "orphan.jpg", "recorded.jpg" })
        {
            var stored = await harness.PutBlobAsync(name, TestImages.Jpeg(300, 200));
            await harness.SendEventAsync(name, stored.ETag.ToString());
            await harness.WaitForOutcomeAsync(Path.GetFileNameWithoutExtension(name), "done");
        }

        // orphan.jpg vanishes unnoticed (thumbnails and a Done record stay); recorded.jpg's deletion was
        // handled but a crash left one thumbnail behind, which no record points at any more.
        var recorded = await harness.RecordAsync("recorded");
        await harness.Images.DeleteBlobAsync("orphan.jpg");
        await harness.Images.DeleteBlobAsync("recorded.jpg");
        await harness.SendEventAsync("recorded.jpg", eventType: BlobEvent.BlobDeleted);
        await harness.WaitForOutcomeAsync("recorded", "was deleted");
        await harness.Thumbnails.GetBlobClient($"recorded/{recorded.Version}/128.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Jpeg(16, 16)));
        await harness.AssertQueueSettledAsync();

        // Younger than the retention: nothing goes, whatever its source.
        Assert.Equal(0, await retention.PurgeAsync(DateTimeOffset.UtcNow.AddDays(-7), new JobProgress(), CancellationToken.None));
        Assert.Equal(7, (await harness.ThumbnailBlobsAsync()).Count);

        // Old enough (the cutoff after every write): the orphans go, with the record of the deleted image;
        // the thumbnails of an image that exists stay, and so does the record of orphan (not recorded as deleted).
        var progress = new JobProgress();
        Assert.Equal(5, await retention.PurgeAsync(DateTimeOffset.UtcNow.AddSeconds(5), progress, CancellationToken.None));
        Assert.Equal(5, progress.ItemsProcessed);
        Assert.All(await harness.ThumbnailBlobsAsync(), name => Assert.StartsWith("kept/", name, StringComparison.Ordinal));
        Assert.Equal(3, (await harness.ThumbnailBlobsAsync()).Count);
        Assert.Null(await harness.Store.GetAsync("recorded", CancellationToken.None));
        Assert.Equal(ImageStatus.Done, (await harness.RecordAsync("kept")).Status);
        Assert.NotNull(await harness.Store.GetAsync("orphan", CancellationToken.None));

        // Repeating a finished purge deletes nothing more.
        Assert.Equal(0, await retention.PurgeAsync(DateTimeOffset.UtcNow.AddSeconds(5), new JobProgress(), CancellationToken.None));
    }

    [Fact]
    public async Task The_retention_never_touches_a_set_being_written_for_a_fresh_upload()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var retention = harness.Host.Services.GetServices<IRetentionSource>().OfType<OrphanedThumbnailsRetention>().Single();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await harness.UploadAsync(TestImages.Jpeg(1600, 1200)));
        }

        // Purging with a cutoff in the future (every blob counts as old) again and again while the uploads are processed.
        var purges = 0L;
        var passes = 0;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (ids.Any(id => harness.DoneCount(id) == 0))
        {
            Assert.True(DateTime.UtcNow < deadline, "the uploads were not done within 90 s");
            purges += await retention.PurgeAsync(DateTimeOffset.UtcNow.AddDays(1), new JobProgress(), CancellationToken.None);
            passes++;
        }

        Assert.True(passes > 0);
        Assert.Equal(0, purges);
        foreach (var id in ids)
        {
            var record = await harness.RecordAsync(id);
            Assert.Equal(ImageStatus.Done, record.Status);
            Assert.True(await harness.Host.Services.GetRequiredService<ThumbnailBlobs>().IsCompleteAsync(record, CancellationToken.None));
        }
    }
}
