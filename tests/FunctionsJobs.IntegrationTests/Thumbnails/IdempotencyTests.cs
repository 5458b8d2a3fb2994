using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>At-least-once delivery, racing consumers, and new content under the same name.</summary>
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
