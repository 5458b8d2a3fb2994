namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <param name="Images">Source images, half 4000x3000 JPEG and half 2000x2000 PNG, generated for the run.</param>
/// <param name="Rounds">Rounds of each generation measurement; the median is reported.</param>
/// <param name="Uploads">Uploads in the end-to-end peak phase (the images, cycled).</param>
/// <param name="Burst">Uploads in the Host memory burst.</param>
internal sealed record ThumbnailsOptions(int Images = 50, int Rounds = 3, int Uploads = 100, int Burst = 200)
{
    public static bool TryParse(string[] args, out ThumbnailsOptions options, out string? error)
    {
        options = new ThumbnailsOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--images"] = 2, ["--rounds"] = 1, ["--uploads"] = 1, ["--burst"] = 1 }, out var values, out error))
        {
            return false;
        }

        options = new ThumbnailsOptions(values.GetValueOrDefault("--images", options.Images), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--uploads", options.Uploads), values.GetValueOrDefault("--burst", options.Burst));
        return true;
    }
}
