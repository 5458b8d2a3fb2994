using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FunctionsJobs.Benchmarks.Thumbnails;

internal sealed record EndToEndResult(
    double PeakImagesPerSecond, double HostCpuPerImage, double AzuriteCpuPerImage, double HalfPeakRate, int HalfPeakSamples, TimeSpan P50, TimeSpan P99)
{
    public double CpuPerImage => HostCpuPerImage + AzuriteCpuPerImage;
}

/// <summary>
/// Upload to last size written, on the Host (real Kestrel, real queue listener) against Azurite.
/// Peak: every upload sent at once (16 in flight), timed from the first request to the last image
/// done. Latency: uploads started at a steady half of that peak, open loop, each timed from its
/// request to its last size written.
/// </summary>
internal static class EndToEnd
{
    private const int UploadsInFlight = 16;
    private const int WarmUpUploads = 48;

    public static async Task<EndToEndResult> RunAsync(AzuriteServer azurite, BenchImages images, int uploads)
    {
        var signals = new DoneSignals();
        await using var host = await TestHost.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Logging.AddProvider(signals);
            builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
        });

        // Warm-up: connections, containers and queue created, and the tiered JIT done with the hot paths
        // (with 4 uploads, re-JIT at tier 1 was 13% of the CPU of the measured phase: a start-up cost, not a per-image one).
        using (var warmUp = new SemaphoreSlim(UploadsInFlight))
        {
            await Task.WhenAll(Enumerable.Range(0, WarmUpUploads).Select(async i =>
            {
                await warmUp.WaitAsync();
                try
                {
                    await signals.WhenDoneAsync(await UploadAsync(host, images, i));
                }
                finally
                {
                    warmUp.Release();
                }
            }));
        }

        var clock = Stopwatch.GetTimestamp();
        var (hostCpu, azuriteCpu) = (CpuTime.Own(), CpuTime.Azurite(azurite.BlobPort));
        using var gate = new SemaphoreSlim(UploadsInFlight);
        var done = await Task.WhenAll(Enumerable.Range(0, uploads).Select(async i =>
        {
            await gate.WaitAsync();
            string id;
            try
            {
                id = await UploadAsync(host, images, i);
            }
            finally
            {
                gate.Release();
            }

            return await signals.WhenDoneAsync(id).WaitAsync(TimeSpan.FromMinutes(10));
        }));
        var peak = uploads / Stopwatch.GetElapsedTime(clock, done.Max()).TotalSeconds;
        (hostCpu, azuriteCpu) = ((CpuTime.Own() - hostCpu) / uploads, (CpuTime.Azurite(azurite.BlobPort) - azuriteCpu) / uploads);

        // Half of peak, open loop: a slow image does not delay the next upload.
        var rate = peak / 2;
        var samples = Math.Max(40, (int)Math.Round(rate * 30));
        var interval = TimeSpan.FromSeconds(1 / rate);
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
            var id = await UploadAsync(host, images, i);
            return Stopwatch.GetElapsedTime(sent, await signals.WhenDoneAsync(id).WaitAsync(TimeSpan.FromMinutes(10)));
        }));
        Array.Sort(latencies);
        await host.StopAsync();
        return new EndToEndResult(peak, hostCpu, azuriteCpu, rate, samples, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
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
