using System.Globalization;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The thumbnail job's settings: names (what <c>%Name%</c> in Functions attributes and the Host
/// read) and defaults, in one place. Read once at start-up; a malformed value stops start-up
/// with one line naming it.
/// </summary>
public sealed record ThumbnailSettings
{
    public const string ImagesContainerSetting = "ImagesContainerName";
    public const string ThumbnailsContainerSetting = "ThumbnailsContainerName";
    public const string StatusTableSetting = "ThumbnailStatusTableName";
    public const string EventsQueueSetting = "ThumbnailEventsQueueName";
    public const string SizesSetting = "ThumbnailSizes";
    public const string QualitySetting = "ThumbnailQuality";
    public const string FormatSetting = "ThumbnailFormat";
    public const string MaxBytesSetting = "ThumbnailMaxBytes";
    public const string MaxPixelsSetting = "ThumbnailMaxPixels";
    public const string ConcurrencySetting = "ThumbnailConcurrency";
    public const string ReconciliationGraceSetting = "ThumbnailReconciliationGrace";
    public const string UploadEventDelaySetting = "ThumbnailUploadEventDelay";
    public const string ScanIntervalSetting = "ThumbnailBlobScanInterval";
    public const string ScanMaxIntervalSetting = "ThumbnailBlobScanMaxInterval";
    public const string ScanReceiptsTableSetting = "ThumbnailScanReceiptsTableName";

    public const string DefaultImagesContainer = "images";
    public const string DefaultThumbnailsContainer = "thumbnails";
    public const string DefaultStatusTable = "ThumbnailStatus";
    public const string DefaultEventsQueue = "thumbnail-events";
    public const string DefaultScanReceiptsTable = "ThumbnailScanReceipts";
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>
    /// What one image may take while it is decoded, per pixel of the pixel limit: the decoded image
    /// may be as large as an 8-bit RGBA image at the limit (4 bytes a pixel, <see cref="ThumbnailGenerator"/>
    /// refuses larger ones), plus libvips' working memory. Measured at 100 megapixels: an interlaced
    /// RGBA PNG 4.5, a progressive JPEG 3.0, a baseline JPEG (shrink-on-load) 0.2 bytes a pixel.
    /// </summary>
    public const int DecodeBytesPerPixel = 5;

    /// <summary>What the Host holds beside the images it decodes: runtime, Kestrel, storage clients, upload bodies.</summary>
    public const long HostReserveBytes = 256L * 1024 * 1024;

    public string ImagesContainer { get; init; } = DefaultImagesContainer;

    public string ThumbnailsContainer { get; init; } = DefaultThumbnailsContainer;

    public string StatusTable { get; init; } = DefaultStatusTable;

    public string EventsQueue { get; init; } = DefaultEventsQueue;

    /// <summary>Bounding boxes in pixels, largest first: each thumbnail fits inside size x size.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [512, 256, 128];

    /// <summary>Encoder quality, 1-100 (JPEG and WebP).</summary>
    public int Quality { get; init; } = 80;

    public ThumbnailFormat Format { get; init; } = ThumbnailFormat.Jpeg;

    /// <summary>The largest source image accepted, in bytes: an upload over it gets 413, a blob over it fails unread.</summary>
    public long MaxBytes { get; init; } = 25L * 1024 * 1024;

    /// <summary>The most pixels (width x height, read from the header) an image may declare before it is decoded.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>
    /// Images decoded at once in this process: bounds memory and CPU whatever the queue's batch size.
    /// By default as many as the memory limit holds at the pixel limit (<see cref="DefaultConcurrency"/>),
    /// at most one per core.
    /// </summary>
    public int Concurrency { get; init; } = DefaultConcurrency(MemoryLimit.Detect(), DefaultMaxPixels, Environment.ProcessorCount);

    /// <summary>
    /// How long the reconciliation leaves an image to the event that is presumably on its way: a
    /// blob modified, or a Pending/Processing record written, more recently is not queued again.
    /// </summary>
    public TimeSpan ReconciliationGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Host: how long an upload's event stays hidden while the thumbnails are made in-process from
    /// the uploaded bytes; after a crash, how long until the queue takes over.
    /// </summary>
    public TimeSpan UploadEventDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Host: the wait between container scans while blobs keep appearing (the backoff's floor).</summary>
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Host: the longest wait between scans once the container is idle. It bounds how late the
    /// first upload after a quiet spell is seen, and the idle cost: one listing request per 5,000 blobs per wait.
    /// </summary>
    public TimeSpan ScanMaxInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The scan's receipts (blob name + ETag announced) and its watermark.</summary>
    public string ScanReceiptsTable { get; init; } = DefaultScanReceiptsTable;

    public static ThumbnailSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new ThumbnailSettings();
        var scanInterval = configuration.GetTimeSpan(ScanIntervalSetting, defaults.ScanInterval, TimeSpan.FromMilliseconds(100));
        var maxPixels = configuration.GetLong(MaxPixelsSetting, defaults.MaxPixels, 1, 1L << 40);
        return new ThumbnailSettings
        {
            ImagesContainer = configuration.GetContainerName(ImagesContainerSetting, DefaultImagesContainer),
            ThumbnailsContainer = configuration.GetContainerName(ThumbnailsContainerSetting, DefaultThumbnailsContainer),
            StatusTable = configuration.GetTableName(StatusTableSetting, DefaultStatusTable),
            EventsQueue = configuration.GetSetting(EventsQueueSetting, DefaultEventsQueue),
            Sizes = ReadSizes(configuration),
            Quality = (int)configuration.GetLong(QualitySetting, defaults.Quality, 1, 100),
            Format = ReadFormat(configuration),
            MaxBytes = configuration.GetLong(MaxBytesSetting, defaults.MaxBytes, 1, 1L << 32),
            MaxPixels = maxPixels,
            Concurrency = (int)configuration.GetLong(ConcurrencySetting, DefaultConcurrency(MemoryLimit.Detect(), maxPixels, Environment.ProcessorCount), 1, 256),
            ReconciliationGrace = configuration.GetTimeSpan(ReconciliationGraceSetting, defaults.ReconciliationGrace, TimeSpan.Zero),
            UploadEventDelay = configuration.GetTimeSpan(UploadEventDelaySetting, defaults.UploadEventDelay, TimeSpan.FromSeconds(1)),
            ScanInterval = scanInterval,
            ScanMaxInterval = configuration.GetTimeSpan(ScanMaxIntervalSetting, defaults.ScanMaxInterval > scanInterval ? defaults.ScanMaxInterval : scanInterval, scanInterval),
            ScanReceiptsTable = configuration.GetTableName(ScanReceiptsTableSetting, DefaultScanReceiptsTable),
        };
    }

    /// <summary>
    /// As many images at once as <paramref name="memoryLimit"/> holds, after the Host's own share,
    /// when each is as large as the pixel limit allows; at least one, at most one per core. A 1 GiB
    /// container with the default pixel limit decodes one image at a time, whatever its cores.
    /// </summary>
    public static int DefaultConcurrency(long memoryLimit, long maxPixels, int processors)
    {
        var perImage = Math.Max(1, maxPixels) * DecodeBytesPerPixel;
        return (int)Math.Clamp((memoryLimit - HostReserveBytes) / perImage, 1, Math.Max(1, processors));
    }

    private static IReadOnlyList<int> ReadSizes(IConfiguration configuration)
    {
        var value = configuration.GetSetting(SizesSetting, "128,256,512");
        var sizes = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 16 or > 4096)
            {
                throw new InvalidSettingException(SizesSetting, $"must be a comma-separated list of sizes from 16 to 4096 pixels, not '{value}'");
            }

            sizes.Add(size);
        }

        return [.. sizes];
    }

    private static ThumbnailFormat ReadFormat(IConfiguration configuration)
    {
        var value = configuration.GetSetting(FormatSetting, "jpeg");
        return value.ToLowerInvariant() switch
        {
            "jpeg" or "jpg" => ThumbnailFormat.Jpeg,
            "webp" => ThumbnailFormat.Webp,
            "png" => ThumbnailFormat.Png,
            _ => throw new InvalidSettingException(FormatSetting, $"must be 'jpeg', 'webp' or 'png', not '{value}'"),
        };
    }
}

/// <summary>What thumbnails are encoded as.</summary>
public enum ThumbnailFormat
{
    Jpeg,
    Webp,
    Png,
}

public static class ThumbnailFormatExtensions
{
    /// <summary>The file extension of the public path <c>thumbnails/{image}/{size}.{extension}</c>.</summary>
    public static string Extension(this ThumbnailFormat format) => format switch
    {
        ThumbnailFormat.Webp => "webp",
        ThumbnailFormat.Png => "png",
        _ => "jpg",
    };

    public static string ContentType(this ThumbnailFormat format) => format switch
    {
        ThumbnailFormat.Webp => "image/webp",
        ThumbnailFormat.Png => "image/png",
        _ => "image/jpeg",
    };
}
