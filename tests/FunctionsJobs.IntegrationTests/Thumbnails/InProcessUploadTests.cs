using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>The Host makes an upload's thumbnails from the uploaded bytes; its hidden event is the fallback.</summary>
public sealed class InProcessUploadTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_upload_is_done_in_process_once_and_its_fallback_event_is_deleted()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);

        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => harness.UploadAsync(TestImages.Jpeg(1200, 900))));

        foreach (var id in ids)
        {
            await harness.WaitForOutcomeAsync(id, "done");
        }

        // The hidden events were deleted, not merely hidden (the count includes invisible messages),
        // and the listener never saw one: no "no work" line, one "done" per image.
        await harness.AssertQueueSettledAsync();
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Message.Contains("for this content; no work", StringComparison.Ordinal));
        Assert.All(ids, id => Assert.Equal(1, harness.DoneCount(id)));
        Assert.Equal(18, (await harness.ThumbnailBlobsAsync()).Count);
    }

    [Fact]
    public async Task A_bad_upload_fails_in_process_with_its_reason_and_leaves_no_event()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var jpeg = TestImages.Jpeg(1600, 1200);
        var truncated = jpeg[..(jpeg.Length / 2)];

        var id = await harness.UploadAsync(truncated);

        await harness.WaitForOutcomeAsync(id, "failed");
        Assert.Contains("corrupt or truncated", (await harness.RecordAsync(id)).Reason, StringComparison.Ordinal);
        await harness.AssertQueueSettledAsync();
    }

    [Fact]
    public async Task When_the_in_process_work_never_finishes_the_event_appears_and_the_queue_does_it()
    {
        // A handoff that takes the image and then "crashes": the thumbnails must come from the event.
        await using var harness = await ThumbnailHarness.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string> { [ThumbnailSettings.UploadEventDelaySetting] = "00:00:02" },
            builder => builder.Services.Replace(ServiceDescriptor.Singleton<IUploadHandoff, CrashingHandoff>()));

        var id = await harness.UploadAsync(TestImages.Jpeg(800, 600));

        Assert.Equal(ImageStatus.Pending, (await harness.RecordAsync(id)).Status);
        await harness.WaitForOutcomeAsync(id, "done");
        await harness.AssertQueueSettledAsync();
        Assert.Equal(3, (await harness.ThumbnailBlobsAsync()).Count);
    }

    private sealed class CrashingHandoff(ThumbnailSettings settings) : IUploadHandoff
    {
        public ValueTask<IUploadReservation?> ReserveAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IUploadReservation?>(new Lost(settings.UploadEventDelay));

        private sealed class Lost(TimeSpan delay) : IUploadReservation
        {
            public TimeSpan EventDelay => delay;

            public void Start(StoredImage image, SendReceipt? fallbackEvent)
            {
            }

            public void Dispose()
            {
            }
        }
    }
}
