using System.Diagnostics;
using System.Globalization;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// The baseline: libvips' own <c>vipsthumbnail</c> (Debian package libvips-tools) making the same
/// sizes from the same files, quality and metadata stripping as the job. Measured two ways, the
/// faster one counts: one process per size over all files (libvips threads inside), and one
/// process per core per size, each over its share of the files with one libvips thread.
/// </summary>
internal static class VipsThumbnailCli
{
    public static string? Version()
    {
        try
        {
            var (exit, output) = Run(["--vips-version"], null);
            return exit == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static (double Sequential, double PerCore) Measure(BenchImages images, IReadOnlyList<int> sizes, int quality, string version)
    {
        // keep=none replaced strip in libvips 8.15.
        var strip = IsAtLeast(version, 8, 15) ? "keep=none" : "strip";
        var output = Directory.CreateTempSubdirectory("functionsjobs-bench-vipsthumbnail-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            foreach (var size in sizes)
            {
                RunChecked([.. images.Files, "--size", $"{size}x{size}", "-o", Path.Combine(output, $"%s_{size}.jpg[Q={quality},optimize_coding,{strip}]")], null);
            }

            var sequential = images.Files.Count / clock.Elapsed.TotalSeconds;

            var cores = Environment.ProcessorCount;
            clock.Restart();
            foreach (var size in sizes)
            {
                Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, part =>
                {
                    var share = images.Files.Where((_, i) => i % cores == part).ToList();
                    if (share.Count > 0)
                    {
                        RunChecked([.. share, "--size", $"{size}x{size}", "-o", Path.Combine(output, $"%s_{size}.jpg[Q={quality},optimize_coding,{strip}]")], "1");
                    }
                });
            }

            var perCore = images.Files.Count / clock.Elapsed.TotalSeconds;
            var written = Directory.GetFiles(output).Length;
            if (written != images.Files.Count * sizes.Count)
            {
                throw new InvalidOperationException($"vipsthumbnail wrote {written} files, expected {images.Files.Count * sizes.Count}");
            }

            return (sequential, perCore);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static void RunChecked(string[] args, string? concurrency)
    {
        var (exit, output) = Run(args, concurrency);
        if (exit != 0)
        {
            throw new InvalidOperationException($"vipsthumbnail exited {exit}: {output}");
        }
    }

    private static (int Exit, string Output) Run(string[] args, string? concurrency)
    {
        var start = new ProcessStartInfo("vipsthumbnail") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (concurrency is not null)
        {
            start.Environment["VIPS_CONCURRENCY"] = concurrency;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static bool IsAtLeast(string version, int major, int minor)
    {
        var numbers = version.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => char.IsAsciiDigit(p[0]))?.Split('.');
        return numbers is [var a, var b, ..]
            && int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var ma)
            && int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var mi)
            && (ma > major || (ma == major && mi >= minor));
    }
}
