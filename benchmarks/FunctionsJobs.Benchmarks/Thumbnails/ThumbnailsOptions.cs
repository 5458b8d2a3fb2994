using System.Globalization;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <param name="Images">Source images, half 4000x3000 JPEG and half 2000x2000 PNG, generated for the run.</param>
/// <param name="Rounds">Rounds of each generation measurement; the median is reported.</param>
/// <param name="Uploads">Uploads in the end-to-end peak phase (the images, cycled).</param>
/// <param name="Burst">Uploads in the Host memory burst.</param>
/// <param name="Phase">all, or one of generate, e2e, memory (to re-measure one figure).</param>
internal sealed record ThumbnailsOptions(int Images = 50, int Rounds = 3, int Uploads = 100, int Burst = 200, string Phase = "all")
{
    public static bool TryParse(string[] args, out ThumbnailsOptions options, out string? error)
    {
        options = new ThumbnailsOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (name == "--phase")
            {
                if (value is not ("all" or "generate" or "e2e" or "memory"))
                {
                    error = $"--phase must be all, generate, e2e or memory, not '{value}'";
                    return false;
                }

                options = options with { Phase = value };
                continue;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
            {
                error = $"{name} needs a positive whole number, not '{value}'";
                return false;
            }

            switch (name)
            {
                case "--images" when number >= 2:
                    options = options with { Images = number };
                    break;
                case "--rounds":
                    options = options with { Rounds = number };
                    break;
                case "--uploads":
                    options = options with { Uploads = number };
                    break;
                case "--burst":
                    options = options with { Burst = number };
                    break;
                default:
                    error = $"unknown option or value out of range: {args[i]}";
                    return false;
            }
        }

        return true;
    }
}
