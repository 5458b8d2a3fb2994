using System.Globalization;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// How much memory this process may use: the cgroup limit of its container (v2 <c>memory.max</c>,
/// v1 <c>memory.limit_in_bytes</c>, the tightest one on the way from its own cgroup up to the
/// root), else the total memory the runtime sees (physical memory, or a GC hard limit).
/// </summary>
public static class MemoryLimit
{
    // Read once: a process's limit stays what it started with, and every ThumbnailSettings asks for it.
    private static readonly Lazy<long> ProcessLimit = new(() => Detect("/proc/self/cgroup", "/sys/fs/cgroup", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes));

    /// <summary>The limit of this process.</summary>
    public static long Detect() => ProcessLimit.Value;

    /// <param name="procSelfCgroup">The process's cgroup membership, as <c>/proc/self/cgroup</c> lists it.</param>
    /// <param name="cgroupRoot">Where the cgroup file systems are mounted (<c>/sys/fs/cgroup</c>).</param>
    /// <param name="totalMemory">The limit when no cgroup sets a lower one.</param>
    public static long Detect(string procSelfCgroup, string cgroupRoot, long totalMemory)
    {
        var limit = totalMemory;
        foreach (var line in ReadLines(procSelfCgroup))
        {
            // hierarchy-id:controllers:path; v2 is "0::/path", v1 names its controllers.
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            var (directory, file) = parts[1].Length == 0
                ? (cgroupRoot, "memory.max")
                : parts[1].Split(',').Contains("memory") ? (Path.Combine(cgroupRoot, "memory"), "memory.limit_in_bytes") : (null, null);
            if (directory is not null)
            {
                limit = Math.Min(limit, Tightest(directory, parts[2], file!));
            }
        }

        return limit;
    }

    /// <summary>
    /// The lowest limit from the cgroup up to the mount's root: a parent's limit binds its children,
    /// and in a container the mount's root is the container's own cgroup (its path in the file
    /// above may name the host's view of it, which does not exist inside).
    /// </summary>
    private static long Tightest(string mount, string cgroupPath, string file)
    {
        var limit = long.MaxValue;
        var segments = cgroupPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var depth = segments.Length; depth >= 0; depth--)
        {
            var path = Path.Combine([mount, .. segments.Take(depth), file]);
            if (ReadLines(path).FirstOrDefault() is { } value
                && long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                // "max" (v2) does not parse; v1 says "no limit" with a huge number, which the total memory undercuts.
                limit = Math.Min(limit, bytes);
            }
        }

        return limit;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
