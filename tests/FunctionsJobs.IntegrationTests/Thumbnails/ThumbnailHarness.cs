using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>
/// The real Host with the thumbnail job on containers, table and queue of its own (so tests of one
/// class share an Azurite without seeing each other's images), plus the clients a test needs.
/// </summary>
public sealed class ThumbnailHarness : IAsyncDisposable
{
    private ThumbnailHarness(TestHost host, string connectionString, ThumbnailSettings settings, IReadOnlyDictionary<string, string> allSettings)
    {
        Host = host;
        AllSettings = allSettings;
        Settings = settings;
        Images = new BlobContainerClient(connectionString, settings.ImagesContainer);
        Thumbnails = new BlobContainerClient(connectionString, settings.ThumbnailsContainer);
        Events = new QueueClient(connectionString, settings.EventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Poison = new QueueClient(connectionString, PoisonQueue.NameFor(settings.EventsQueue));
    }

    public TestHost Host { get; }

    /// <summary>Every setting this Host was started with: pass them to start another Host on the same containers, table and queue.</summary>
    public IReadOnlyDictionary<string, string> AllSettings { get; }

    public ThumbnailSettings Settings { get; }

    public BlobContainerClient Images { get; }

    public BlobContainerClient Thumbnails { get; }

    /// <summary>The BlobCreated events queue, writing base64 as Event Grid's queue delivery and Functions do.</summary>
    public QueueClient Events { get; }

    public QueueClient Poison { get; }

    public ThumbnailStatusStore Store => Host.Services.GetRequiredService<ThumbnailStatusStore>();

    public ThumbnailHandler Handler => Host.Services.GetRequiredService<ThumbnailHandler>();

    /// <param name="settings">Overrides, e.g. <c>ThumbnailMaxBytes</c>.</param>
    public static async Task<ThumbnailHarness> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var all = new Dictionary<string, string>
        {
            [ThumbnailSettings.ImagesContainerSetting] = $"images-{suffix}",
            [ThumbnailSettings.ThumbnailsContainerSetting] = $"thumbnails-{suffix}",
            [ThumbnailSettings.StatusTableSetting] = $"ThumbnailStatus{suffix}",
            [ThumbnailSettings.EventsQueueSetting] = $"thumbnail-events-{suffix}",
            // Tests run the reconciliation themselves (its timer is hourly); run history and checkpoints of their own.
            [SchedulingSettings.JobRunsTableSetting] = $"JobRuns{suffix}",
            [SchedulingSettings.CheckpointsContainerSetting] = $"checkpoints-{suffix}",
            [ThumbnailSettings.ScanReceiptsTableSetting] = $"ThumbnailScanReceipts{suffix}",

            // Tests of other paths put blobs straight into the container and expect nothing else to
            // announce them; the scan's own tests switch it on.
            [$"AzureWebJobs.{ThumbnailBlobScanSettings.HostFunctionName}.Disabled"] = "true",
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "5",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var host = await TestHost.StartAsync(connectionString, all, configure);
        var harness = new ThumbnailHarness(host, connectionString, host.Services.GetRequiredService<ThumbnailSettings>(), all);
        await harness.Images.CreateIfNotExistsAsync();
        // The listener creates its queue as it starts; a test may send before that.
        await harness.Events.CreateIfNotExistsAsync();
        return harness;
    }

    public async Task<HttpResponseMessage> PostImageAsync(HttpContent content, bool expectContinue = false)
    {
        using var request = Host.Request(HttpMethod.Post, "/api/images", TestHost.FunctionKey);
        request.Content = content;
        request.Headers.ExpectContinue = expectContinue;
        return await Host.Http.SendAsync(request);
    }

    public static ByteArrayContent Body(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return content;
    }

    /// <summary>Uploads via HTTP and returns the id from the 202 answer.</summary>
    public async Task<string> UploadAsync(byte[] bytes, string contentType = "image/jpeg")
    {
        using var response = await PostImageAsync(Body(bytes, contentType));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>Puts a blob straight into the images container, as Storage Explorer or az storage would.</summary>
    public async Task<BlobContentInfo> PutBlobAsync(string name, byte[] bytes) =>
        (await Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true)).Value;

    /// <summary>Queues a BlobCreated event in Event Grid shape, as a storage-queue subscription delivers it.</summary>
    public async Task SendEventAsync(string blobName, string? eTag = null, string eventType = BlobEvent.BlobCreated)
    {
        var blobEvent = BlobEvent.Create(eventType, Images.GetBlobClient("x").Uri, Settings.ImagesContainer, blobName, eTag, null, null, "PutBlob", DateTimeOffset.UtcNow);
        await Events.SendMessageAsync(JsonSerializer.Serialize(blobEvent, JobJson.Options));
    }

    /// <summary>Runs the reconciliation once, as a manual run would, and returns how many events it queued.</summary>
    public async Task<long> ReconcileAsync()
    {
        var job = Host.Services.GetRequiredService<ThumbnailReconciliationJob>();
        var before = Host.Logs.Entries.Count;
        var run = await Host.Services.GetRequiredService<JobRunner>().RunAsync(job, new JobRunRequest(JobTrigger.Manual), CancellationToken.None);
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        var line = Host.Logs.Entries.Skip(before).Last(e => e.Category == typeof(ThumbnailReconciliationJob).FullName && e.Message.Contains("reconciled", StringComparison.Ordinal));
        return Convert.ToInt64(line.Fields["Enqueued"], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many "done" lines the handler wrote for the image: each is one set of thumbnails made.</summary>
    public int DoneCount(string imageId) => Host.Logs.Entries.Count(
        e => e.Category == typeof(ThumbnailHandler).FullName && Equals(e.Fields.GetValueOrDefault("ImageId"), imageId) && e.Message.Contains(") done:", StringComparison.Ordinal));

    /// <summary>Waits for the handler's log line that the image reached a final outcome.</summary>
    public Task<LogEntry> WaitForOutcomeAsync(string imageId, string outcome, TimeSpan? timeout = null) =>
        Host.Logs.WaitForAsync(
            e => e.Category == typeof(ThumbnailHandler).FullName && Equals(e.Fields.GetValueOrDefault("ImageId"), imageId)
                && e.Message.Contains(outcome, StringComparison.Ordinal),
            timeout ?? TimeSpan.FromSeconds(60));

    public async Task<ImageRecord> RecordAsync(string id) => (await Store.GetAsync(id, CancellationToken.None))!;

    /// <summary>Every thumbnail blob name, sorted.</summary>
    public async Task<List<string>> ThumbnailBlobsAsync()
    {
        var names = new List<string>();
        if (!await Thumbnails.ExistsAsync())
        {
            return names;
        }

        await foreach (var blob in Thumbnails.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>The queue is empty and nothing went to poison: every message completed.</summary>
    public async Task AssertQueueSettledAsync()
    {
        await QueueHarness.EventuallyAsync(async () => (await Events.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "events queue empty");
        Assert.False(await Poison.ExistsAsync() && (await Poison.PeekMessagesAsync(1)).Value.Length > 0, "a message went to poison");
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
