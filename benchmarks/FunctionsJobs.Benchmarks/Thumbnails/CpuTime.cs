using System.Diagnostics;
using System.Globalization;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// CPU seconds used by this process and by an Azurite process: a cost per image that, unlike
/// images per second, does not depend on what else the (shared) machine runs at the time.
/// </summary>
internal static class CpuTime
{
    public static double Own() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>utime + stime of the node process serving Azurite's blob endpoint on <paramref name="blobPort"/>, or 0 if not found.</summary>
    public static double Azurite(int blobPort)
    {
        var marker = "--blobPort\0" + blobPort.ToString(CultureInfo.InvariantCulture) + "\0";
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
                if (!cmdline.Contains(marker, StringComparison.Ordinal) || cmdline.Contains("with-parent", StringComparison.Ordinal))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }

        return 0;
    }
}
