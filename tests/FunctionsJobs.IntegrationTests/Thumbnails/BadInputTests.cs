using FunctionsJobs.IntegrationTests.Queues;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>
/// Hostile and broken input arriving the way it does in production: a blob in the images container
/// and its BlobCreated event on the queue. Each ends Failed with a clear reason, its message
/// completed after one delivery (not retried five times), and the Host goes on serving.
/// </summary>
public sealed class BadInputTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData("zero-byte", "the image is empty (0 bytes)")]
    [InlineData("truncated-jpeg", "the JPEG data is corrupt or truncated")]
    [InlineData("text-named-jpg", "the content is not an image in a supported format")]
    [InlineData("png-50000x50000", "the image declares 50000x50000 = 2500000000 pixels; the limit is 100000000 pixels")]
    [InlineData("png16-8000x8000", "the image declares 8000x8000 pixels of 8 bytes = 512000000 bytes decoded; the limit is 400000000 bytes")]
    [InlineData("tiff-named-png", "the content is not an image in a supported format (JPEG, PNG, WebP, GIF)")]
    public async Task Bad_content_ends_Failed_with_its_reason_after_one_delivery_and_the_host_keeps_serving(string kind, string reason)
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var jpeg = TestImages.Jpeg(1600, 1200);
        var (name, content) = kind switch
        {
            "zero-byte" => ("empty.jpg", Array.Empty<byte>()),
            "truncated-jpeg" => ("truncated.jpg", jpeg[..(jpeg.Length / 2)]),
            "text-named-jpg" => ("notes.jpg", Encoding.UTF8.GetBytes("Dear diary, this is not a photo.\n")),
            "png-50000x50000" => ("bomb.png", TestImages.PngHeader(50_000, 50_000)),
            "png16-8000x8000" => ("deep.png", TestImages.PngHeader(8000, 8000, bitDepth: 16, colorType: 6)),
            _ => ("scan.png", TestImages.Tiff(64, 64)),
        };
        var id = name[..name.IndexOf('.', StringComparison.Ordinal)];
        var stored = await harness.PutBlobAsync(name, content);

        await harness.SendEventAsync(name, stored.ETag.ToString());
        var failed = await harness.WaitForOutcomeAsync(id, "failed");

        Assert.Contains(reason, failed.Message, StringComparison.Ordinal);
        var record = await harness.RecordAsync(id);
        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.StartsWith(reason, record.Reason, StringComparison.Ordinal);
        Assert.Empty(await harness.ThumbnailBlobsAsync());
        await harness.AssertQueueSettledAsync();
        Assert.Single(harness.Host.Logs.Entries, e => e.Message.Contains($"image {id} ({name}) failed", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Message.Contains("failed on message", StringComparison.Ordinal));

        // Alive: the next good image flows through the same listener.
        var good = await harness.PutBlobAsync("good.jpg", TestImages.Jpeg(400, 300));
        await harness.SendEventAsync("good.jpg", good.ETag.ToString());
        await harness.WaitForOutcomeAsync("good", "done");
    }

    [Theory]
    [InlineData("../escape.jpg", "'..'")]
    [InlineData("nested/dir/cat.jpg", "slash")]
    [InlineData("back\\slash.jpg", "slash")]
    [InlineData("bell\u0007.jpg", "control characters")]
    [InlineData("new\nline.jpg", "control characters")]
    public async Task A_hostile_blob_name_is_recorded_rejected_and_its_message_completed(string name, string reason)
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);

        await harness.SendEventAsync(name, "\"0x1\"");
        var logged = await harness.Host.Logs.WaitForAsync(e => e.Message.Contains("rejected:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        Assert.Contains(reason, logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', logged.Message);

        // The rejection is logged before its record is written: wait for the record itself.
        await QueueHarness.EventuallyAsync(async () => await harness.Store.GetRejectedAsync(name, CancellationToken.None) is not null, "rejection recorded");
        var rejected = await harness.Store.GetRejectedAsync(name, CancellationToken.None);
        Assert.NotNull(rejected);
        Assert.Contains(reason, rejected.Reason, StringComparison.Ordinal);
        Assert.Equal("0x1", rejected.SourceETag);
        await harness.AssertQueueSettledAsync();
        Assert.Empty(await harness.ThumbnailBlobsAsync());
    }

    [Fact]
    public async Task An_image_deleted_between_its_event_and_its_processing_is_recorded_and_its_message_completed()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var stored = await harness.PutBlobAsync("fleeting.jpg", TestImages.Jpeg(400, 300));
        await harness.Images.DeleteBlobAsync("fleeting.jpg");

        await harness.SendEventAsync("fleeting.jpg", stored.ETag.ToString());
        await harness.WaitForOutcomeAsync("fleeting", "was deleted");

        var record = await harness.RecordAsync("fleeting");
        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.Equal($"the source blob {harness.Settings.ImagesContainer}/fleeting.jpg was deleted before it was processed", record.Reason);
        Assert.True(record.SourceDeleted);
        await harness.AssertQueueSettledAsync();
    }

    [Fact]
    public async Task A_storage_outage_while_thumbnails_are_written_is_retried_not_failed()
    {
        var outage = new FailingWrites(pathContains: "/thumbnails-", failures: 2);
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SettingNames.Storage] = azurite.ConnectionString }).Build();
            builder.Services.Replace(ServiceDescriptor.Singleton(StorageAccount.FromConfiguration(configuration, configureClients: o => o.AddPolicy(outage, HttpPipelinePosition.PerCall))));
        });
        var stored = await harness.PutBlobAsync("outage.jpg", TestImages.Jpeg(800, 600));

        await harness.SendEventAsync("outage.jpg", stored.ETag.ToString());
        var done = await harness.WaitForOutcomeAsync("outage", "done");

        Assert.Equal(2, outage.Failed);
        var retried = harness.Host.Logs.Entries.Where(e => e.Level == LogLevel.Error && e.Message.Contains("failed on message", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(retried);
        Assert.All(retried, e => Assert.IsType<RequestFailedException>(e.Exception));
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Message.Contains("(outage.jpg) failed", StringComparison.Ordinal));
        var record = await harness.RecordAsync("outage");
        Assert.Equal(ImageStatus.Done, record.Status);
        Assert.Equal(3, (await harness.ThumbnailBlobsAsync()).Count);
        await harness.AssertQueueSettledAsync();
    }

    /// <summary>A storage outage as the handler sees it: the first writes to a container fail after the SDK's own retries.</summary>
    private sealed class FailingWrites(string pathContains, int failures) : HttpPipelinePolicy
    {
        private int _failed;

        public int Failed => Math.Min(Volatile.Read(ref _failed), failures);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Put
                && message.Request.Uri.Path.Contains(pathContains, StringComparison.Ordinal)
                && message.Request.Uri.Path.EndsWith(".jpg", StringComparison.Ordinal)
                && Interlocked.Increment(ref _failed) <= failures)
            {
                throw new RequestFailedException(503, "injected storage outage");
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
