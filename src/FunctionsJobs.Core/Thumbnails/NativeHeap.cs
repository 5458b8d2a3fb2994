using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Caps glibc's malloc arenas. libvips decodes on many threads and glibc gives busy threads
/// arenas of their own (up to 8 per core), which keep freed image buffers as fragmented, resident
/// memory: measured on the Host, a burst of 100 photo uploads peaked at 476 MB RSS and stayed at
/// 405 MB afterwards; with two arenas 328 MB and 245 MB (docs/benchmarks.md). Same effect as
/// MALLOC_ARENA_MAX=2, without asking every operator to set it.
/// </summary>
public static class NativeHeap
{
    private const int MallocArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    private static int _applied;
    private static bool _trimUnavailable;
    private static long _lastTrim;

    public static TimeSpan TrimInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Applies the cap once, as early as possible (arenas already made stay). True when glibc took
    /// it; false off glibc, or when MALLOC_ARENA_MAX is set (the operator's choice wins).
    /// </summary>
    public static bool LimitArenas(int arenas = 2)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return false;
        }

        if (Interlocked.Exchange(ref _applied, 1) == 1)
        {
            return true;
        }

        try
        {
            return Mallopt(MallocArenaMax, arenas) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, for one, has its own allocator): nothing to tune.
            return false;
        }
    }

    /// <summary>
    /// Hands free pages of every arena back to the kernel (glibc's malloc_trim), at most once per
    /// <see cref="TrimInterval"/>: called after each image, because the arenas libvips used keep
    /// its freed decode buffers resident otherwise. A trim walks every arena, so doing it after
    /// every image roughly halved the throughput; once a second costs nothing measurable.
    /// </summary>
    public static void Trim()
    {
        if (Volatile.Read(ref _trimUnavailable) || !OperatingSystem.IsLinux())
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var last = Volatile.Read(ref _lastTrim);
        if (Stopwatch.GetElapsedTime(last, now) < TrimInterval || Interlocked.CompareExchange(ref _lastTrim, now, last) != last)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _trimUnavailable, true);
        }
    }

    // "libc.so.6", not "libc": on glibc systems libc.so is a linker script that cannot be loaded.
    // DllImport rather than LibraryImport: two ints need no marshalling, and no unsafe code for the project.
    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
