using System.Diagnostics;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.Logging.Abstractions;
using NetVips;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// The job's <see cref="ThumbnailGenerator"/> on every image, one image per core at a time (as
/// the Host runs it), and the alternative it was chosen over: a shrink-on-load decode per size.
/// </summary>
internal static class InProcessGeneration
{
    /// <summary>Images per second over all sizes; the outputs are encoded to memory.</summary>
    public static double Run(BenchImages images, ThumbnailSettings settings)
    {
        var generator = new ThumbnailGenerator(settings, NullLogger<ThumbnailGenerator>.Instance);
        return Time(images, source => generator.Generate(source).Sum(t => t.Content.Length));
    }

    /// <summary>The same sizes with one <c>thumbnail_buffer</c> (decode) per size.</summary>
    public static double RunDecodePerSize(BenchImages images, ThumbnailSettings settings)
    {
        _ = new ThumbnailGenerator(settings, NullLogger<ThumbnailGenerator>.Instance);
        return Time(images, source =>
        {
            var bytes = 0;
            foreach (var size in settings.Sizes)
            {
                using var thumbnail = Image.ThumbnailBuffer(source, size, optionString: "fail_on=error", height: size, size: Enums.Size.Down);
                bytes += thumbnail.JpegsaveBuffer(q: settings.Quality, optimizeCoding: true, keep: Enums.ForeignKeep.None).Length;
            }

            return bytes;
        });
    }

    private static double Time(BenchImages images, Func<byte[], int> generate)
    {
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(images.Contents, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, source => generate(source));
        return images.Contents.Count / clock.Elapsed.TotalSeconds;
    }
}
