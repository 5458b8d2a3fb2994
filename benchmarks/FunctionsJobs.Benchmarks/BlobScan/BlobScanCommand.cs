using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsJobs.Benchmarks.QueueDispatch;
using FunctionsJobs.Benchmarks.Thumbnails;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Benchmarks.BlobScan;

/// <summary>
/// blob-scan: blobs written straight into the images container with the SDK, on the Host with its
/// default scan settings against Azurite on disk. Paced writes timed from the end of each write to
/// Done, against the same images uploaded through POST /api/images in the same run (the baseline);
/// a burst written at once, each image made exactly once; then the storage requests per second of
/// an idle scan over a container of many blobs.
/// </summary>
internal static class BlobScanCommand
{
    public const double P50TargetSeconds = 3;
    public const double P99TargetSeconds = 10;
    public const double IdleTargetPerSecond = 1;

    /// <summary>Long enough for the scan to back off to its longest wait before a phase starts.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(BlobScanOptions options)
    {
        var settings = new ThumbnailSettings();
        Print($"blob-scan: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}, .NET {Environment.Version}, " +
              $"scan every {settings.ScanInterval:c} up to {settings.ScanMaxInterval:c}, queue maxPollingInterval {HostJsonMaxPollingInterval}");
        using var images = BenchImages.Create(2);
        var photo = images.Contents[0];
        Print($"blob-scan: photo {photo.Length / 1024} KiB JPEG 4000x3000");

        var location = Directory.CreateTempSubdirectory("functionsjobs-bench-azurite-").FullName;
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(location);
            var counter = new ResourceRequestCounter();
            var account = BenchStorage.CountingAccount(azurite.ConnectionString, counter);
            await PacedAndBurstAsync(azurite.ConnectionString, account, images, options);
            await IdleAsync(azurite.ConnectionString, account, counter, options);
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }

        return 0;
    }

    /// <summary>host.json's value: the test host polls faster, and the queue's wait is part of the latency.</summary>
    private static string HostJsonMaxPollingInterval => "00:00:02";

    private static async Task PacedAndBurstAsync(string connectionString, StorageAccount account, BenchImages images, BlobScanOptions options)
    {
        var signals = new DoneSignals();
        await using var host = await StartHostAsync(connectionString, account, signals, ThumbnailSettings.DefaultImagesContainer);
        var container = new BlobContainerClient(connectionString, ThumbnailSettings.DefaultImagesContainer);
        await container.CreateIfNotExistsAsync();
        await Task.Delay(Settle);

        var direct = await PacedAsync(options, async i =>
        {
            var id = $"paced-{i:D3}";
            await container.GetBlobClient($"{id}.jpg").UploadAsync(BinaryData.FromBytes(images.Contents[0]), overwrite: true);
            return (id, Stopwatch.GetTimestamp());
        }, signals);
        await Task.Delay(Settle);
        var routed = await PacedAsync(options, async i => (await EndToEnd.UploadAsync(host, images, 0), Stopwatch.GetTimestamp()), signals);
        Print($"blob-scan: {options.Paced} direct writes one every {options.PaceMs} ms, write to Done: p50 {Seconds(direct, 0.50)}, p99 {Seconds(direct, 0.99)} " +
              $"(target p50 <= {P50TargetSeconds} s, p99 <= {P99TargetSeconds} s){Missed(EndToEnd.Percentile(direct, 0.50).TotalSeconds <= P50TargetSeconds && EndToEnd.Percentile(direct, 0.99).TotalSeconds <= P99TargetSeconds)}");
        Print($"blob-scan: baseline, the same through POST /api/images, 202 to Done: p50 {Seconds(routed, 0.50)}, p99 {Seconds(routed, 0.99)}; " +
              $"direct / API p50 {EndToEnd.Percentile(direct, 0.50) / EndToEnd.Percentile(routed, 0.50):F1}x");

        await Task.Delay(Settle);
        var linesBefore = signals.Lines;
        var ids = Enumerable.Range(0, options.Burst).Select(i => $"burst-{i:D4}").ToList();
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
            await container.GetBlobClient($"{id}.jpg").UploadAsync(BinaryData.FromBytes(images.Contents[0]), overwrite: true, ct));
        var written = Stopwatch.GetElapsedTime(start);
        var done = await Task.WhenAll(ids.Select(id => signals.WhenDoneAsync(id).WaitAsync(TimeSpan.FromMinutes(15))));
        var last = Stopwatch.GetElapsedTime(start, done.Max());

        // A second delivery would come within a scan and a queue poll: wait a few of each before counting.
        await Task.Delay(TimeSpan.FromSeconds(10));
        var made = signals.Lines - linesBefore;
        Print($"blob-scan: {options.Burst} blobs written at once in {written.TotalSeconds:F1} s: all Done {last.TotalSeconds:F1} s after the first write began, " +
              $"{options.Burst / last.TotalSeconds:F2} img/s; made {made} times for {options.Burst} images{Missed(made == options.Burst)}");
        await host.StopAsync();
    }

    private static async Task IdleAsync(string connectionString, StorageAccount account, ResourceRequestCounter counter, BlobScanOptions options)
    {
        // Blobs the upload route wrote (it marks them): the scan lists them but has nothing to announce, as
        // for images made long ago; writing them this way spares the run making 10,000 sets of thumbnails.
        const string Container = "idle-images";
        var container = new BlobContainerClient(connectionString, Container);
        await container.CreateIfNotExistsAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.IdleBlobs), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var name = $"idle-{i:D6}.jpg";
            var upload = new BlobUploadOptions { Metadata = new Dictionary<string, string> { [ThumbnailBlobScanSettings.UploadMarkerKey] = name } };
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes([0xFF, 0xD8]), upload, ct);
        });

        var signals = new DoneSignals();
        await using var host = await StartHostAsync(connectionString, account, signals, Container);
        await Task.Delay(Settle);
        string[] scanResources = [Container, ThumbnailSettings.DefaultScanReceiptsTable];
        var (scanBefore, totalBefore) = (counter.For(scanResources), counter.Total);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
        var seconds = clock.Elapsed.TotalSeconds;
        var scan = (counter.For(scanResources) - scanBefore) / seconds;
        var total = (counter.Total - totalBefore) / seconds;
        Print($"blob-scan: idle over {options.IdleBlobs} blobs for {seconds:F0} s: the scan {scan:F2} requests/s (target <= {IdleTargetPerSecond}){Missed(scan <= IdleTargetPerSecond)}; " +
              $"the whole Host {total:F2} requests/s (queue listeners and timers included)");
        await host.StopAsync();
    }

    private static async Task<TimeSpan[]> PacedAsync(BlobScanOptions options, Func<int, Task<(string Id, long WrittenAt)>> write, DoneSignals signals)
    {
        var start = Stopwatch.GetTimestamp();
        var latencies = await Task.WhenAll(Enumerable.Range(0, options.Paced).Select(async i =>
        {
            // Open loop: a slow image does not delay the next write.
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (i * options.PaceMs * Stopwatch.Frequency / 1000));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var (id, writtenAt) = await write(i);
            return Stopwatch.GetElapsedTime(writtenAt, await signals.WhenDoneAsync(id).WaitAsync(TimeSpan.FromMinutes(10)));
        }));
        Array.Sort(latencies);
        return latencies;
    }

    private static Task<TestHost> StartHostAsync(string connectionString, StorageAccount account, DoneSignals signals, string imagesContainer) =>
        TestHost.StartAsync(
            connectionString,
            new Dictionary<string, string>
            {
                [BenchStorage.MaxPollingInterval] = HostJsonMaxPollingInterval,
                [ThumbnailSettings.ImagesContainerSetting] = imagesContainer,
            },
            builder =>
            {
                BenchStorage.Configure(builder, account);
                builder.Logging.AddProvider(signals);
            });

    private static string Seconds(TimeSpan[] sorted, double p) => $"{EndToEnd.Percentile(sorted, p).TotalSeconds:F2} s";

    private static string Missed(bool met) => met ? string.Empty : "  MISSED";

    private static void Print(string line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
