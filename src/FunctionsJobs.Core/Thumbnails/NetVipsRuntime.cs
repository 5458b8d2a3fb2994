using Microsoft.Extensions.Logging;
using NetVips;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Process-wide libvips set-up for a server that decodes untrusted images: no operation cache
/// (each image is seen once, so caching only holds memory), one libvips worker thread per image
/// (the job runs several images in parallel, which uses the cores better than splitting one
/// image across threads), untrusted loaders blocked and every loader but JPEG, PNG, WebP and GIF
/// blocked, and libvips warnings routed to the logger instead of stderr.
/// </summary>
public static partial class NetVipsRuntime
{
    private static readonly Lock Gate = new();
    private static bool _initialized;
    private static ILogger? _logger;

    /// <summary>The loaders left open; <see cref="SourceImageFormat"/> lists the same formats.</summary>
    private static readonly string[] AllowedLoaders = ["VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp", "VipsForeignLoadNsgif"];

    public static string Version => $"{NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}";

    public static void Initialize(ILogger logger)
    {
        lock (Gate)
        {
            _logger = logger;
            if (_initialized)
            {
                return;
            }

            Cache.Max = 0;
            Cache.MaxMem = 0;
            Cache.MaxFiles = 0;
            NetVips.NetVips.Concurrency = 1;
            NetVips.NetVips.BlockUntrusted = true;
            Operation.Block("VipsForeignLoad", true);
            foreach (var loader in AllowedLoaders)
            {
                Operation.Block(loader, false);
            }

            Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Message | Enums.LogLevelFlags.Info, OnLog);
            _initialized = true;
        }
    }

    private static void OnLog(string domain, Enums.LogLevelFlags level, string message)
    {
        // Hostile input makes libvips warn a lot ("premature end of JPEG"); the job reports the
        // outcome itself, so these are detail for debugging.
        if (_logger is { } logger)
        {
            LogVips(logger, domain, message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "libvips {Domain}: {VipsMessage}")]
    private static partial void LogVips(ILogger logger, string domain, string vipsMessage);
}
