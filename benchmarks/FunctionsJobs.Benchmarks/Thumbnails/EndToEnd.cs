using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsJobs.Benchmarks.Orders;
using FunctionsJobs.Benchmarks.QueueDispatch;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>One timed phase of uploads: images per second from the first upload to the last image done, and its costs per image.</summary>
/// <param name="OwnCpuPerImage">CPU seconds of this process (runtime side: the Host and the HTTP client; baseline side: the SDK loop).</param>
/// <param name="AzuriteCpuPerImage">CPU seconds of Azurite's node process.</param>
/// <param name="RequestsPerImage">Storage requests, counted by a pipeline policy on every storage client of the side.</param>
internal sealed record UploadPhase(double ImagesPerSecond, double OwnCpuPerImage, double AzuriteCpuPerImage, double RequestsPerImage)
{
    public double CpuPerImage => OwnCpuPerImage + AzuriteCpuPerImage;
}

internal sealed record EndToEndResult(
    IReadOnlyList<UploadPhase> Runtime, IReadOnlyList<UploadPhase> Baseline, double HalfPeakRate, int HalfPeakSamples, TimeSpan P50, TimeSpan P99);

/// <summary>
/// Upload to last size written, on the Host (real Kestrel, the upload route, its in-process
/// thumbnails) against Azurite, and the same storage operations and generation without the runtime
/// (<see cref="BaselineThumbnails"/>) in the same run: rounds of one phase each, the order
/// alternating. Peak: every upload sent at once (16 in flight), timed from the first upload to the
/// last image done. Latency: uploads started at a steady half of the runtime's peak, open loop, each
/// timed from its request to its last size written.
/// </summary>
internal static class EndToEnd
{
    public const int UploadsInFlight = 16;
    private const int WarmUpUploads = 48;

    public static async Task<EndToEndResult> RunAsync(BenchImages images, int uploads, int rounds, Action<string> print)
    {
        // Warm-up of both sides: the tiered JIT done with the hot paths (with 4 uploads, re-JIT at
        // tier 1 was 13% of the CPU of the measured phase: a start-up cost, not a per-image one).
        await BaselinePhaseAsync(images, WarmUpUploads);
        await RuntimePhaseAsync(images, WarmUpUploads);

        var runtimes = new List<UploadPhase>();
        var baselines = new List<UploadPhase>();
        for (var round = 1; round <= rounds; round++)
        {
            // Alternate which goes first, so a drift in machine load does not always hit one side.
            if (round % 2 == 1)
            {
                baselines.Add(await BaselinePhaseAsync(images, uploads));
                runtimes.Add(await RuntimePhaseAsync(images, uploads));
            }
            else
            {
                runtimes.Add(await RuntimePhaseAsync(images, uploads));
                baselines.Add(await BaselinePhaseAsync(images, uploads));
            }

            print($"round {round}/{rounds}: baseline {Describe(baselines[^1])}; runtime {Describe(runtimes[^1])}; ratio {runtimes[^1].ImagesPerSecond / baselines[^1].ImagesPerSecond:F2}");
        }

        // Half of the runtime's peak, open loop: a slow image does not delay the next upload.
        var rate = runtimes.Select(r => r.ImagesPerSecond).Order().ElementAt(runtimes.Count / 2) / 2;
        var samples = Math.Max(40, (int)Math.Round(rate * 30));
        var interval = TimeSpan.FromSeconds(1 / rate);
        await using var azurite = await DiskAzurite.StartAsync();
        await using var host = await RuntimeHost.StartAsync(azurite.Server, BenchStorage.CountingAccount(azurite.Server.ConnectionString, new RequestCount()));
        await host.UploadAllAsync(images, UploadsInFlight);
        var start = Stopwatch.GetTimestamp();
        var latencies = await Task.WhenAll(Enumerable.Range(0, samples).Select(async i =>
        {
            var due = start + (long)(interval.TotalSeconds * i * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var sent = Stopwatch.GetTimestamp();
            var id = await UploadAsync(host.Host, images, i);
            return Stopwatch.GetElapsedTime(sent, await host.Signals.WhenDoneAsync(id).WaitAsync(TimeSpan.FromMinutes(10)));
        }));
        Array.Sort(latencies);
        return new EndToEndResult(runtimes, baselines, rate, samples, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    public static string Describe(UploadPhase phase) =>
        string.Create(CultureInfo.InvariantCulture, $"{phase.ImagesPerSecond:F2} img/s, {phase.CpuPerImage * 1000:F0} ms CPU/image (this process {phase.OwnCpuPerImage * 1000:F0}, Azurite {phase.AzuriteCpuPerImage * 1000:F0}), {phase.RequestsPerImage:F1} storage requests/image");

    /// <summary>
    /// Each phase gets an empty Azurite of its own: the emulator's cost per request grows with what it
    /// holds (its whole metadata databases are saved after writes), so on a shared one the later
    /// phases paid for the earlier ones (Azurite's CPU per image rose from 26-41 ms in the first phase
    /// to 62-69 ms in the sixth, and the side that ran sixth looked slower). A fresh Host too, so it
    /// polls nothing while the baseline runs. Its start and a first upload per client (which creates
    /// the containers, tables and queue it uses and opens its connections) are outside the clock.
    /// </summary>
    private static async Task<UploadPhase> RuntimePhaseAsync(BenchImages images, int uploads)
    {
        await using var azurite = await DiskAzurite.StartAsync();
        var requests = new RequestCount();
        await using var host = await RuntimeHost.StartAsync(azurite.Server, BenchStorage.CountingAccount(azurite.Server.ConnectionString, requests));
        await host.UploadAllAsync(images, UploadsInFlight);
        var clock = PhaseClock.Start(azurite.Server, requests);
        var done = await host.UploadAllAsync(images, uploads);
        return clock.Stop(uploads, done.Max());
    }

    /// <summary>The baseline on an empty Azurite of its own, its connections opened by a first upload per client outside the clock.</summary>
    private static async Task<UploadPhase> BaselinePhaseAsync(BenchImages images, int uploads)
    {
        await using var azurite = await DiskAzurite.StartAsync();
        var requests = new RequestCount();
        using var baseline = await BaselineThumbnails.CreateAsync(BenchStorage.CountingAccount(azurite.Server.ConnectionString, requests), new ThumbnailSettings());
        await baseline.RunAsync(images, UploadsInFlight, UploadsInFlight);
        var clock = PhaseClock.Start(azurite.Server, requests);
        var done = await baseline.RunAsync(images, uploads, UploadsInFlight);
        return clock.Stop(uploads, done.Max());
    }

    /// <summary>The Host with the counting account, host.json's polling interval and no log capture but the "done" lines.</summary>
    private sealed class RuntimeHost(TestHost host, DoneSignals signals) : IAsyncDisposable
    {
        public TestHost Host { get; } = host;

        public DoneSignals Signals { get; } = signals;

        public static async Task<RuntimeHost> StartAsync(AzuriteServer azurite, StorageAccount account)
        {
            var signals = new DoneSignals();
            var settings = new Dictionary<string, string> { [BenchStorage.MaxPollingInterval] = BenchStorage.HostJsonMaxPollingInterval.ToString("c", CultureInfo.InvariantCulture) };
            var host = await TestHost.StartAsync(azurite.ConnectionString, settings, configure: builder =>
            {
                BenchStorage.Configure(builder, account);
                builder.Logging.AddFilter<LogSink>(null, LogLevel.Warning);
                builder.Logging.AddProvider(signals);
            });
            return new RuntimeHost(host, signals);
        }

        /// <summary>Every upload at once, 16 in flight; when each image was done.</summary>
        public async Task<long[]> UploadAllAsync(BenchImages images, int uploads)
        {
            using var gate = new SemaphoreSlim(UploadsInFlight);
            return await Task.WhenAll(Enumerable.Range(0, uploads).Select(async i =>
            {
                await gate.WaitAsync();
                string id;
                try
                {
                    id = await UploadAsync(Host, images, i);
                }
                finally
                {
                    gate.Release();
                }

                return await Signals.WhenDoneAsync(id).WaitAsync(TimeSpan.FromMinutes(10));
            }));
        }

        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            await Host.DisposeAsync();
        }
    }

    private sealed class PhaseClock(AzuriteServer azurite, RequestCount requests, long start, double ownCpu, double azuriteCpu, long requestsBefore)
    {
        public static PhaseClock Start(AzuriteServer azurite, RequestCount requests) =>
            new(azurite, requests, Stopwatch.GetTimestamp(), CpuTime.Own(), CpuTime.Azurite(azurite.BlobPort), requests.Requests);

        public UploadPhase Stop(int uploads, long lastDone) => new(
            uploads / Stopwatch.GetElapsedTime(start, lastDone).TotalSeconds,
            (CpuTime.Own() - ownCpu) / uploads,
            (CpuTime.Azurite(azurite.BlobPort) - azuriteCpu) / uploads,
            (requests.Requests - requestsBefore) / (double)uploads);
    }

    public static async Task<string> UploadAsync(TestHost host, BenchImages images, int index) =>
        await UploadAsync(host.Http, TestHost.FunctionKey, images, index);

    public static async Task<string> UploadAsync(HttpClient http, string functionKey, BenchImages images, int index)
    {
        var file = images.Files[index % images.Files.Count];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = new ByteArrayContent(images.Contents[index % images.Contents.Count]) };
        request.Headers.Add("x-functions-key", functionKey);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(file.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public static TimeSpan Percentile(TimeSpan[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
