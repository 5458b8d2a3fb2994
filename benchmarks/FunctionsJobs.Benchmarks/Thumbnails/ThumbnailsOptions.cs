namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <param name="Images">Source images, half 4000x3000 JPEG and half 2000x2000 PNG, generated for the run.</param>
/// <param name="Rounds">Rounds of each generation measurement; the median is reported.</param>
/// <param name="Uploads">Uploads in the end-to-end peak phase (the images, cycled).</param>
/// <param name="Burst">Uploads in the Host memory burst.</param>
/// <param name="Large">100-megapixel uploads sent at once in the memory phase's container burst (0: skip it).</param>
/// <param name="Phase">all, or one of generate, e2e, memory (to re-measure one figure).</param>
internal sealed record ThumbnailsOptions(int Images = 50, int Rounds = 3, int Uploads = 100, int Burst = 200, int Large = 8, string Phase = "all")
{
    private static readonly string[] Phases = ["all", "generate", "e2e", "memory"];

    public static bool TryParse(string[] args, out ThumbnailsOptions options, out string? error)
    {
        options = new ThumbnailsOptions();
        var phase = options.Phase;
        var numeric = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            // --phase is the one word-valued option; the rest are whole numbers for BenchArgs.
            if (args[i] == "--phase" || args[i].StartsWith("--phase=", StringComparison.Ordinal))
            {
                var value = args[i].Length > "--phase".Length ? args[i]["--phase=".Length..] : i + 1 < args.Length ? args[++i] : null;
                if (value is null || !Phases.Contains(value))
                {
                    error = $"--phase must be all, generate, e2e or memory, not '{value}'";
                    return false;
                }

                phase = value;
                continue;
            }

            numeric.Add(args[i]);
        }

        if (!BenchArgs.TryParse([.. numeric], new Dictionary<string, int> { ["--images"] = 2, ["--rounds"] = 1, ["--uploads"] = 1, ["--burst"] = 1, ["--large"] = 0 }, out var values, out error))
        {
            return false;
        }

        options = new ThumbnailsOptions(values.GetValueOrDefault("--images", options.Images), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--uploads", options.Uploads), values.GetValueOrDefault("--burst", options.Burst), values.GetValueOrDefault("--large", options.Large), phase);
        return true;
    }
}
