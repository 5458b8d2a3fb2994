namespace FunctionsJobs.Benchmarks.BlobScan;

/// <param name="Paced">Blobs written one every <paramref name="PaceMs"/> ms, each timed from the end of its write to Done.</param>
/// <param name="Burst">Blobs written at once.</param>
/// <param name="IdleBlobs">Blobs in the container while the scan idles.</param>
/// <param name="IdleSeconds">How long the idle requests are counted, once the scan has backed off.</param>
internal sealed record BlobScanOptions(int Paced = 20, int PaceMs = 2000, int Burst = 200, int IdleBlobs = 10_000, int IdleSeconds = 60)
{
    public static bool TryParse(string[] args, out BlobScanOptions options, out string? error)
    {
        options = new BlobScanOptions();
        var minimums = new Dictionary<string, int> { ["--paced"] = 1, ["--pace-ms"] = 100, ["--burst"] = 1, ["--idle-blobs"] = 0, ["--idle-seconds"] = 10 };
        if (!BenchArgs.TryParse(args, minimums, out var values, out error))
        {
            return false;
        }

        options = new BlobScanOptions(
            values.GetValueOrDefault("--paced", options.Paced), values.GetValueOrDefault("--pace-ms", options.PaceMs), values.GetValueOrDefault("--burst", options.Burst),
            values.GetValueOrDefault("--idle-blobs", options.IdleBlobs), values.GetValueOrDefault("--idle-seconds", options.IdleSeconds));
        return true;
    }
}
