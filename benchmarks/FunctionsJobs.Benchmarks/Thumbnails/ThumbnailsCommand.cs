using System.Globalization;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// thumbnails: in-process generation of every size against libvips' own vipsthumbnail CLI on the
/// same generated images, then the Host end to end against Azurite (on disk) with a baseline doing
/// the same storage operations and generation without the runtime (peak, latency at half peak),
/// then the Host's peak memory through a burst of uploads. Ratios compare figures of this run only.
/// </summary>
internal static class ThumbnailsCommand
{
    public const double CliTarget = 0.8;

    /// <summary>The runtime's images per second end to end over the baseline's (the same storage operations and generation without the runtime).</summary>
    public const double EndToEndTarget = 0.9;
    public const double MemoryTargetMb = 400;

    /// <summary>The memory limit deploy/ gives the Host's container (host.yaml limits, containerapp.bicep resources).</summary>
    public const int ContainerLimitMib = 1024;

    public static async Task<int> RunAsync(ThumbnailsOptions options)
    {
        var settings = new ThumbnailSettings();
        var vips = VipsThumbnailCli.Version();
        Print($"thumbnails: {Environment.ProcessorCount} cores, .NET {Environment.Version}, NetVips libvips {NetVipsRuntime.Version}, " +
              $"vipsthumbnail {vips ?? "not installed (apt-get install -y libvips-tools)"}, sizes {string.Join(",", settings.Sizes)}, quality {settings.Quality}");

        using var images = BenchImages.Create(options.Images);
        Print($"images: {images.Files.Count} ({images.Files.Count(f => f.EndsWith(".jpg", StringComparison.Ordinal))} JPEG 4000x3000, " +
              $"{images.Files.Count(f => f.EndsWith(".png", StringComparison.Ordinal))} PNG 2000x2000), {images.TotalBytes / 1048576.0:F0} MiB");

        double? inProcessMedian = null, cli = null, inProcessCpu = null;
        if (options.Phase is "all" or "generate" or "e2e")
        {
            InProcessGeneration.Run(images, settings); // warm-up: libvips loaded, JIT done, page cache warm
            var inProcess = new List<double>();
            var perSize = new List<double>();
            var cliSequential = new List<double>();
            var cliPerCore = new List<double>();
            var cpuBefore = CpuTime.Own();
            for (var round = 1; round <= options.Rounds; round++)
            {
                var cpu = CpuTime.Own();
                inProcess.Add(InProcessGeneration.Run(images, settings));
                inProcessCpu = (inProcessCpu ?? 0) + (CpuTime.Own() - cpu);
                if (options.Phase == "e2e")
                {
                    continue;
                }

                perSize.Add(InProcessGeneration.RunDecodePerSize(images, settings));
                var line = $"round {round}/{options.Rounds}: in-process {inProcess[^1]:F2} img/s, decode per size {perSize[^1]:F2} img/s";
                if (vips is not null)
                {
                    var (sequential, perCore) = VipsThumbnailCli.Measure(images, settings.Sizes, settings.Quality, vips);
                    cliSequential.Add(sequential);
                    cliPerCore.Add(perCore);
                    line += $", vipsthumbnail {sequential:F2} img/s (one process per size), {perCore:F2} img/s (one per core per size)";
                }

                Print(line);
            }

            inProcessMedian = Median(inProcess);
            inProcessCpu /= options.Rounds * images.Files.Count;
            Print($"thumbnails: in-process {inProcessMedian:F2} img/s (median of {options.Rounds}), {inProcessCpu * 1000:F0} ms CPU per image" +
                  (perSize.Count > 0 ? $"; decode per size {Median(perSize):F2} img/s, one decode is {inProcessMedian / Median(perSize):F2}x faster" : string.Empty));
            if (cliSequential.Count > 0)
            {
                cli = Math.Max(Median(cliSequential), Median(cliPerCore));
                var ratio = inProcessMedian.Value / cli.Value;
                Print($"thumbnails: in-process / vipsthumbnail {ratio:F2} ({inProcessMedian:F2} vs {cli:F2} img/s, target >= {CliTarget:F1}){Missed(ratio >= CliTarget)}");
            }
            else if (options.Phase != "e2e")
            {
                Print("thumbnails: in-process / vipsthumbnail not measured: vipsthumbnail is not installed (apt-get install -y libvips-tools)");
            }
        }

        if (options.Phase is "generate")
        {
            return 0;
        }

        if (options.Phase is "all" or "e2e")
        {
            Print("thumbnails: end to end, Azurite on disk, an empty one per phase: rounds of the runtime (the Host: POST /api/images to the image's Done) and the baseline (the same storage operations and generation with the SDK alone), " +
                  $"{options.Uploads} uploads each, {EndToEnd.UploadsInFlight} in flight, ThumbnailConcurrency {new ThumbnailSettings().Concurrency}; load average {LoadAverage()}");
            var e2e = await EndToEnd.RunAsync(images, options.Uploads, options.Rounds, Print);
            var runtime = Median(e2e.Runtime);
            var baseline = Median(e2e.Baseline);
            var ratio = runtime.ImagesPerSecond / baseline.ImagesPerSecond;
            var perRound = e2e.Runtime.Zip(e2e.Baseline, (r, b) => r.ImagesPerSecond / b.ImagesPerSecond).ToList();
            Print($"thumbnails: end to end, runtime {EndToEnd.Describe(runtime)}");
            Print($"thumbnails: end to end, baseline {EndToEnd.Describe(baseline)}");
            Print($"thumbnails: end to end runtime / baseline {ratio:F2} (target >= {EndToEndTarget:F1}; rounds {string.Join(" ", perRound.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}, " +
                  $"median {Median(perRound):F2}){Missed(ratio >= EndToEndTarget)}; CPU per image runtime / baseline {runtime.CpuPerImage / baseline.CpuPerImage:F2}; load average {LoadAverage()}");
            Print($"thumbnails: end to end / in-process {runtime.ImagesPerSecond / inProcessMedian!.Value:F2} ({runtime.ImagesPerSecond:F2} vs {inProcessMedian:F2} img/s; by CPU per image {inProcessCpu!.Value / runtime.CpuPerImage:F2}; reference, no target)");
            Print($"thumbnails: latency at half of the runtime's peak ({e2e.HalfPeakRate:F2} img/s, {e2e.HalfPeakSamples} uploads): p50 {e2e.P50.TotalMilliseconds:F0} ms, p99 {e2e.P99.TotalMilliseconds:F0} ms");
        }

        if (options.Phase is "all" or "memory")
        {
            await using var azurite = await DiskAzurite.StartAsync();
            await MemoryAsync(options, azurite.Server, images);
        }

        return 0;
    }

    /// <summary>The Host's memory as an operator runs it, then as a container with 100-megapixel uploads.</summary>
    private static async Task MemoryAsync(ThumbnailsOptions options, AzuriteServer azurite, BenchImages images)
    {
        var memory = await HostMemory.RunAsync(azurite.ConnectionString, images, options.Burst);
        Print($"thumbnails: Host peak RSS {memory.PeakRssMb:F0} MB through {memory.Uploads} uploads ({memory.Finished} finished in {memory.Elapsed.TotalSeconds:F0} s, RSS after {memory.FinalRssMb:F0} MB) " +
              $"(target < {MemoryTargetMb:F0}){Missed(memory.PeakRssMb < MemoryTargetMb && memory.Finished == memory.Uploads)}");

        if (options.Large > 0)
        {
            await ContainerBurstAsync(azurite.ConnectionString, options.Large);
        }
    }

    /// <summary>
    /// The Host as a container with 8 cores and <see cref="ContainerLimitMib"/> MiB (deploy/keda/host.yaml's
    /// limit, containerapp.bicep's memory) would run it, given 100-megapixel images that libvips decodes
    /// whole, all at once. This machine has neither the cores nor a cgroup limit, so the Host is told
    /// both: DOTNET_PROCESSOR_COUNT, and DOTNET_GCHeapHardLimit, which the runtime reports as its total
    /// memory, the limit the default concurrency is derived from when no cgroup sets one. The baseline
    /// is the old default, one image per core (ThumbnailConcurrency=8), in the same run.
    /// </summary>
    private static async Task ContainerBurstAsync(string connectionString, int uploads)
    {
        const int Cores = 8;
        using var large = BenchImages.CreateLarge(uploads);
        var container = new Dictionary<string, string>
        {
            ["DOTNET_PROCESSOR_COUNT"] = Cores.ToString(CultureInfo.InvariantCulture),
            ["DOTNET_GCHeapHardLimit"] = $"0x{ContainerLimitMib * 1024L * 1024:X}",
        };
        var derived = ThumbnailSettings.DefaultConcurrency(ContainerLimitMib * 1024L * 1024, ThumbnailSettings.DefaultMaxPixels, Cores);
        Print($"thumbnails: container burst: {uploads} uploads of 100 megapixels at once (interlaced RGBA PNG {new FileInfo(large.Files[0]).Length / 1048576.0:F1} MiB, " +
              $"progressive JPEG {new FileInfo(large.Files[^1]).Length / 1048576.0:F1} MiB), {Cores} cores, {ContainerLimitMib} MiB; default concurrency {derived}");
        var byDefault = await HostMemory.RunAsync(connectionString, large, uploads, uploads, container);
        var perCore = await HostMemory.RunAsync(connectionString, large, uploads, uploads, new Dictionary<string, string>(container) { [ThumbnailSettings.ConcurrencySetting] = Cores.ToString(CultureInfo.InvariantCulture) });
        Print($"thumbnails: container burst, default concurrency {derived}: Host peak RSS {byDefault.PeakRssMb:F0} MiB, {byDefault.Finished} of {uploads} finished in {byDefault.Elapsed.TotalSeconds:F0} s " +
              $"(target < {ContainerLimitMib} MiB){Missed(byDefault.PeakRssMb < ContainerLimitMib && byDefault.Finished == uploads)}");
        Print($"thumbnails: container burst, one image per core (the old default): Host peak RSS {perCore.PeakRssMb:F0} MiB, {perCore.Finished} of {uploads} finished in {perCore.Elapsed.TotalSeconds:F0} s " +
              $"({perCore.PeakRssMb / byDefault.PeakRssMb:F2}x; over {ContainerLimitMib} MiB a container is OOM-killed)");
    }

    /// <summary>The phase with the median images per second, its costs included, so the figures belong together.</summary>
    private static UploadPhase Median(IReadOnlyList<UploadPhase> phases) => phases.OrderBy(p => p.ImagesPerSecond).ElementAt(phases.Count / 2);

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Missed(bool met) => met ? string.Empty : "  MISSED";

    private static void Print(string line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
