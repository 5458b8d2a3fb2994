using Azure.Data.Tables;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using static FunctionsJobs.IntegrationTests.Thumbnails.BlobScanHarness;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>
/// The Host's blob trigger (a container scan): blobs written straight into the images container by a
/// storage client become thumbnails without an upload route, a reconciliation or Event Grid.
/// </summary>
public sealed class BlobScanTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_blob_written_by_a_storage_client_is_made_into_thumbnails_and_announced_once()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());

        await PutAndWaitDoneAsync(harness, "direct-1");
        await PutAndWaitDoneAsync(harness, "direct-2");

        var record = await harness.RecordAsync("direct-1");
        Assert.Equal(ImageStatus.Done, record.Status);
        Assert.Equal(3, record.Thumbnails.Count);
        // Many passes went over direct-1 while direct-2 was made: it was announced once, done once.
        Assert.Equal(2, Announced(harness.Host));
        Assert.Equal(1, harness.DoneCount("direct-1"));
        var receipts = await Receipts(azurite.ConnectionString, harness).QueryAsync<TableEntity>(e => e.PartitionKey != "watermark").ToListAsync();
        Assert.Equal(2, receipts.Count);
        Assert.All(receipts, r => Assert.Equal("Done", r.GetString("State")));
        await harness.AssertQueueSettledAsync();
    }

    [Fact]
    public async Task An_upload_through_the_route_is_left_to_its_own_event()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());

        var id = await harness.UploadAsync(TestImages.Jpeg(64, 48));
        await harness.WaitForOutcomeAsync(id, ") done:");
        await PutAndWaitDoneAsync(harness, "after-upload");

        // The scan passed over the uploaded blob (marked by the route) without announcing it.
        Assert.Equal(1, Announced(harness.Host));
        Assert.Equal(1, harness.DoneCount(id));
    }

    [Fact]
    public async Task A_restarted_host_announces_nothing_already_handled()
    {
        string[] ids = ["restart-1", "restart-2", "restart-3"];
        IReadOnlyDictionary<string, string> settings;
        await using (var first = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn()))
        {
            foreach (var id in ids)
            {
                await PutAndWaitDoneAsync(first, id);
            }

            settings = first.AllSettings;
        }

        await using var second = await ThumbnailHarness.StartAsync(azurite.ConnectionString, settings);
        await PutAndWaitDoneAsync(second, "restart-new");

        Assert.Equal(1, Announced(second.Host));
        Assert.Equal(1, DoneLines(second.Host));
        await second.AssertQueueSettledAsync();
    }

    [Fact]
    public async Task Wiped_receipts_redo_only_the_images_without_a_current_set_of_thumbnails()
    {
        IReadOnlyDictionary<string, string> settings;
        List<string> before;
        await using (var first = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn()))
        {
            foreach (var id in new[] { "wiped-1", "wiped-2", "wiped-3" })
            {
                await PutAndWaitDoneAsync(first, id);
            }

            settings = first.AllSettings;
            before = await first.ThumbnailBlobsAsync();

            // wiped-2 loses its status record: it has no current set any more.
            var record = await first.RecordAsync("wiped-2");
            Assert.True(await first.Store.TryDeleteAsync(record, CancellationToken.None));
            await new TableClient(azurite.ConnectionString, settings[ThumbnailSettings.ScanReceiptsTableSetting]).DeleteAsync();
        }

        await using var second = await ThumbnailHarness.StartAsync(azurite.ConnectionString, settings);
        await second.WaitForOutcomeAsync("wiped-2", ") done:");
        await PutAndWaitDoneAsync(second, "wiped-new");

        Assert.Equal(2, Announced(second.Host));
        Assert.Equal(2, DoneLines(second.Host));
        Assert.Equal(1, second.DoneCount("wiped-2"));
        // wiped-1 and wiped-3 kept the thumbnails they had; wiped-2 got the same version again.
        var after = await second.ThumbnailBlobsAsync();
        Assert.Equal(before, after.Where(name => !name.StartsWith("wiped-new/", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("up..dir.jpg", "'..'")]
    [InlineData("nested/cat.jpg", "slash")]
    [InlineData("bell\u007f.jpg", "control characters")]
    [InlineData("no-extension", "no extension")]
    [InlineData("long", "must be 1-128")]
    public async Task A_blob_whose_name_can_never_be_an_image_is_recorded_rejected_once(string name, string reason)
    {
        if (name == "long")
        {
            name = new string('x', 1010) + ".jpg";
        }

        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());

        await harness.PutBlobAsync(name, TestImages.Jpeg(64, 48));
        await PutAndWaitDoneAsync(harness, "beside-a-bad-name");
        await PutAndWaitDoneAsync(harness, "beside-a-bad-name-2");

        var rejected = await harness.Store.GetRejectedAsync(name, CancellationToken.None);
        Assert.NotNull(rejected);
        Assert.Contains(reason, rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(3, Announced(harness.Host));
        Assert.Single(harness.Host.Logs.Entries, e => e.Category == typeof(ThumbnailHandler).FullName && e.Message.Contains("rejected", StringComparison.Ordinal));
        await harness.AssertQueueSettledAsync();
    }

    [Theory]
    [InlineData("zero-bytes", "the image is empty (0 bytes)")]
    [InlineData("not-an-image", "the content is not an image in a supported format")]
    public async Task Bad_content_written_straight_into_the_container_fails_with_its_reason(string id, string reason)
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());

        await harness.PutBlobAsync($"{id}.jpg", id == "zero-bytes" ? [] : "hello, not a JPEG"u8.ToArray());
        await harness.WaitForOutcomeAsync(id, ") failed:");

        var record = await harness.RecordAsync(id);
        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.StartsWith(reason, record.Reason, StringComparison.Ordinal);
        Assert.Empty(await harness.ThumbnailBlobsAsync());
        await harness.AssertQueueSettledAsync();
    }

    [Fact]
    public async Task A_blob_overwritten_while_its_thumbnails_are_made_ends_with_the_newest_contents_only()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn(new Dictionary<string, string> { [ThumbnailSettings.ConcurrencySetting] = "1" }));
        var slots = harness.Host.Services.GetRequiredService<ImageDecodeSlots>();

        // Holding the only decode slot stops the handler after it recorded Processing, before it downloads.
        var held = await slots.EnterAsync(CancellationToken.None);
        var first = await harness.PutBlobAsync("overwritten.jpg", TestImages.Jpeg(800, 600));
        await QueueHarness.EventuallyAsync(
            async () => await harness.Store.GetAsync("overwritten", CancellationToken.None) is { Status: ImageStatus.Processing } r && r.SourceETag == ImageRecord.NormalizeETag(first.ETag.ToString()),
            "the first content is being processed");
        var newest = await harness.PutBlobAsync("overwritten.jpg", TestImages.Jpeg(600, 800));
        await QueueHarness.EventuallyAsync(() => Task.FromResult(Announced(harness.Host) == 2), "the newest content is announced");
        held.Dispose();

        var newestETag = ImageRecord.NormalizeETag(newest.ETag.ToString())!;
        await QueueHarness.EventuallyAsync(
            async () => await harness.Store.GetAsync("overwritten", CancellationToken.None) is { Status: ImageStatus.Done } r && r.SourceETag == newestETag,
            "the newest content is done");
        await harness.AssertQueueSettledAsync();

        var record = await harness.RecordAsync("overwritten");
        Assert.Contains(record.Thumbnails, t => t is { Size: 512, Width: 384, Height: 512 });
        var version = ThumbnailBlobs.VersionOf(newestETag);
        Assert.All(await harness.ThumbnailBlobsAsync(), name => Assert.StartsWith($"overwritten/{version}/", name, StringComparison.Ordinal));
        Assert.Equal(3, (await harness.ThumbnailBlobsAsync()).Count);
    }

    [Fact]
    public async Task A_blob_deleted_right_after_it_was_written_leaves_nothing_behind()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());

        await harness.PutBlobAsync("fleeting.jpg", TestImages.Jpeg(64, 48));
        await harness.Images.DeleteBlobAsync("fleeting.jpg");
        await PutAndWaitDoneAsync(harness, "after-fleeting");
        await PutAndWaitDoneAsync(harness, "after-fleeting-2");
        await harness.AssertQueueSettledAsync();

        // Either the scan never saw it, or the handler found it gone: no thumbnails, no Done.
        Assert.DoesNotContain(await harness.ThumbnailBlobsAsync(), name => name.StartsWith("fleeting/", StringComparison.Ordinal));
        var record = await harness.Store.GetAsync("fleeting", CancellationToken.None);
        Assert.True(record is null or { Status: ImageStatus.Failed, SourceDeleted: true }, $"fleeting: {record?.Status} {record?.Reason}");
    }

    [Fact]
    public async Task Deleting_an_image_blob_removes_its_thumbnails_and_records_why()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, ScanOn());
        await PutAndWaitDoneAsync(harness, "to-delete");

        await harness.Images.DeleteBlobAsync("to-delete.jpg");
        await harness.WaitForOutcomeAsync("to-delete", "was deleted;");

        var record = await harness.RecordAsync("to-delete");
        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.True(record.SourceDeleted);
        Assert.Contains("was deleted; its thumbnails were removed", record.Reason, StringComparison.Ordinal);
        Assert.Empty(await harness.ThumbnailBlobsAsync());
        Assert.Equal(1, DeletionsAnnounced(harness.Host));
        await harness.AssertQueueSettledAsync();
    }
}
