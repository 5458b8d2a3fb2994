using System.Net.Http.Headers;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Functions.Tests.Http;
using FunctionsJobs.Functions.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Functions.Tests.Thumbnails;

/// <summary>
/// The thumbnail functions in-process, on the path <c>func start</c> takes with Azurite: an upload
/// through <c>UploadImage</c> queues its BlobCreated event, <c>ThumbnailBlobEvents</c> makes the
/// thumbnails, <c>GetThumbnail</c> serves them; and <c>ThumbnailBlobTrigger</c> as Event Grid drives it in Azure.
/// </summary>
public sealed class ThumbnailFunctionsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task An_upload_s_event_delivered_twice_to_ThumbnailBlobEvents_makes_one_set_of_thumbnails_that_GetThumbnail_serves()
    {
        await using var app = await FunctionsApp.StartAsync(fixture);
        var id = await UploadAsync(app);
        var queued = await ReceiveEventAsync(app, id);
        var function = app.Function<ThumbnailBlobEvents>();

        await function.RunAsync(queued.MessageText, queued.MessageId, queued.DequeueCount, queued.InsertedOn!.Value, CancellationToken.None);
        var first = await RecordAsync(app, id);
        await function.RunAsync(queued.MessageText, queued.MessageId, queued.DequeueCount + 1, queued.InsertedOn!.Value, CancellationToken.None);

        Assert.Equal(ImageStatus.Done, first.Status);
        AssertUnchanged(first, await RecordAsync(app, id));
        var answer = await app.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/thumbnails/{id}/128.jpg"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("image/jpeg", answer.ContentType);
        Assert.Equal(ImageQueries.PublicCacheControl, answer.Header("Cache-Control"));
        Assert.Equal(128, TestImages.Inspect(answer.Body).Width);
    }

    [Fact]
    public async Task ThumbnailBlobEvents_given_a_message_that_is_not_a_blob_event_throws_so_the_host_retries_then_poisons_it()
    {
        await using var app = await FunctionsApp.StartAsync(fixture);

        await Assert.ThrowsAsync<System.Text.Json.JsonException>(() =>
            app.Function<ThumbnailBlobEvents>().RunAsync("null", "id", 1, DateTimeOffset.UtcNow, CancellationToken.None));
    }

    [Fact]
    public async Task ThumbnailBlobTrigger_run_twice_for_a_blob_written_by_any_client_makes_one_set_of_thumbnails()
    {
        await using var app = await FunctionsApp.StartAsync(fixture);
        var blobs = app.Services.GetRequiredService<ThumbnailBlobs>();
        await blobs.EnsureImagesContainerAsync(CancellationToken.None);
        var id = $"direct-{Guid.NewGuid():N}"[..20];
        var blob = blobs.Images.GetBlobClient($"{id}.jpg");
        await blob.UploadAsync(BinaryData.FromBytes(TestImages.Jpeg(640, 480)));
        var function = app.Function<ThumbnailBlobTrigger>();

        await function.RunAsync(blob, blob.Name, CancellationToken.None);
        var first = await RecordAsync(app, id);
        await function.RunAsync(blob, blob.Name, CancellationToken.None);

        Assert.Equal(ImageStatus.Done, first.Status);
        AssertUnchanged(first, await RecordAsync(app, id));
        Assert.Equal([128, 256, 512], first.Thumbnails.Select(t => t.Size).Order());
    }

    [Fact]
    public async Task ThumbnailBlobScan_announces_a_blob_written_by_any_client_once_and_ThumbnailBlobEvents_makes_it_Done()
    {
        await using var app = await FunctionsApp.StartAsync(fixture);
        var blobs = app.Services.GetRequiredService<ThumbnailBlobs>();
        await blobs.EnsureImagesContainerAsync(CancellationToken.None);
        var id = $"scanned-{Guid.NewGuid():N}"[..20];
        await blobs.Images.GetBlobClient($"{id}.jpg").UploadAsync(BinaryData.FromBytes(TestImages.Jpeg(320, 240)));
        var scan = app.Function<ThumbnailBlobScan>();

        await scan.RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        await scan.RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        var announced = await ReceiveEventsAsync(app, id);
        var queued = Assert.Single(announced);
        await app.Function<ThumbnailBlobEvents>().RunAsync(queued.MessageText, queued.MessageId, queued.DequeueCount, queued.InsertedOn!.Value, CancellationToken.None);
        Assert.Equal(ImageStatus.Done, (await RecordAsync(app, id)).Status);
    }

    private static async Task<string> UploadAsync(FunctionsApp app)
    {
        var content = new ByteArrayContent(TestImages.Jpeg(800, 600));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        var answer = await app.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = content });
        Assert.Equal(202, answer.Status);
        return answer.Json().GetProperty("id").GetString()!;
    }

    /// <summary>The upload's event as the host's queue trigger receives it (the app's clients decode base64 as the host does).</summary>
    private static async Task<QueueMessage> ReceiveEventAsync(FunctionsApp app, string id) =>
        (await ReceiveEventsAsync(app, id)).FirstOrDefault() ?? throw new InvalidOperationException($"no event for image {id} was queued");

    /// <summary>Every event queued for the image: the queue is read until empty, the messages stay hidden for the test.</summary>
    private static async Task<List<QueueMessage>> ReceiveEventsAsync(FunctionsApp app, string id)
    {
        var queue = app.Services.GetRequiredService<StorageAccount>().Queues.GetQueueClient(app.Services.GetRequiredService<ThumbnailSettings>().EventsQueue);
        var found = new List<QueueMessage>();
        QueueMessage[] batch;
        do
        {
            batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            found.AddRange(batch.Where(m => m.MessageText.Contains($"/{id}.", StringComparison.Ordinal)));
        }
        while (batch.Length > 0);
        return found;
    }

    /// <summary>The second delivery found the image done and wrote nothing.</summary>
    private static void AssertUnchanged(ImageRecord first, ImageRecord second) =>
        Assert.Equal((first.Status, first.Version, first.SourceETag, first.UpdatedAt), (second.Status, second.Version, second.SourceETag, second.UpdatedAt));

    private static async Task<ImageRecord> RecordAsync(FunctionsApp app, string id) =>
        (await app.Services.GetRequiredService<ThumbnailStatusStore>().GetAsync(id, CancellationToken.None))!;
}
