using NetVips;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// The benchmark's photo-sized sources, written to a temporary folder so the CLI baseline reads the
/// very same bytes: half 4000x3000 JPEG (quality 90), half 2000x2000 PNG, each with its own
/// gradient, shapes and grain so the codecs do real work.
/// </summary>
internal sealed class BenchImages : IDisposable
{
    private BenchImages(string folder, IReadOnlyList<string> files)
    {
        Folder = folder;
        Files = files;
        Contents = [.. files.Select(File.ReadAllBytes)];
    }

    public string Folder { get; }

    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<byte[]> Contents { get; }

    public long TotalBytes => Contents.Sum(c => (long)c.Length);

    public static BenchImages Create(int count)
    {
        var folder = Directory.CreateTempSubdirectory("functionsjobs-bench-images-").FullName;
        var files = new string[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var jpeg = i % 2 == 0;
            var (width, height) = jpeg ? (4000, 3000) : (2000, 2000);
            using var image = Photo(width, height, seed: i);
            var path = Path.Combine(folder, $"photo{i:D3}.{(jpeg ? "jpg" : "png")}");
            if (jpeg)
            {
                image.Jpegsave(path, q: 90);
            }
            else
            {
                image.Pngsave(path, compression: 6);
            }

            files[i] = path;
        });
        return new BenchImages(folder, files);
    }

    /// <summary>
    /// Images at the default pixel limit (10000x10000, 100 megapixels) that libvips must decode
    /// whole: interlaced RGBA PNGs and progressive JPEGs, taking turns; each about 4.5 and 3 bytes a
    /// pixel while it is decoded. <paramref name="count"/> files, two distinct images.
    /// </summary>
    public static BenchImages CreateLarge(int count)
    {
        var folder = Directory.CreateTempSubdirectory("functionsjobs-bench-large-").FullName;
        // Without grain, so each file stays far below ThumbnailMaxBytes (25 MiB): the size that matters here is the decoded one.
        using (var rgb = Photo(10_000, 10_000, seed: 7, grain: false))
        using (var alpha = rgb[1])
        using (var rgba = rgb.Bandjoin(alpha))
        {
            rgba.Pngsave(Path.Combine(folder, "large.png"), compression: 6, interlace: true);
            rgb.Jpegsave(Path.Combine(folder, "large.jpg"), q: 85, interlace: true);
        }

        var files = Enumerable.Range(0, count).Select(i => Path.Combine(folder, i % 2 == 0 ? "large.png" : "large.jpg")).ToList();
        return new BenchImages(folder, files);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Image Photo(int width, int height, int seed, bool grain = true)
    {
        using var xyz = Image.Xyz(width, height);
        using var x = xyz[0];
        using var y = xyz[1];
        var phase = seed * 0.37;
        using var red = ((x * (6.28 / width)) + phase).Math(Enums.OperationMath.Sin) * 90 + 128;
        using var green = ((y * (6.28 / height)) - phase).Math(Enums.OperationMath.Cos) * 90 + 128;
        using var blue = (((x + y) * (3.14 / (width + height))) + phase).Math(Enums.OperationMath.Sin) * 60 + 100;
        using var rgb = red.Bandjoin(green, blue);
        using var noise = grain ? Image.Gaussnoise(width, height, sigma: 8, mean: 0, seed: seed) : null;
        using var noisy = noise is null ? rgb.Copy() : rgb + noise;
        using var clipped = noisy.Cast(Enums.BandFormat.Uchar);
        return clipped.Copy(interpretation: Enums.Interpretation.Srgb).CopyMemory();
    }
}
