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

    public const string DefaultImagesContainer = "images";
    public const string DefaultThumbnailsContainer = "thumbnails";
    public const string DefaultStatusTable = "ThumbnailStatus";
    public const string DefaultEventsQueue = "thumbnail-events";

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
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>Images decoded at once in this process: bounds memory and CPU whatever the queue's batch size.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

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

    public static ThumbnailSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new ThumbnailSettings();
        return new ThumbnailSettings
        {
            ImagesContainer = ContainerName(configuration, ImagesContainerSetting, DefaultImagesContainer),
            ThumbnailsContainer = ContainerName(configuration, ThumbnailsContainerSetting, DefaultThumbnailsContainer),
            StatusTable = TableName(configuration, StatusTableSetting, DefaultStatusTable),
            EventsQueue = configuration.GetSetting(EventsQueueSetting, DefaultEventsQueue),
            Sizes = ReadSizes(configuration),
            Quality = (int)ReadNumber(configuration, QualitySetting, defaults.Quality, 1, 100),
            Format = ReadFormat(configuration),
            MaxBytes = ReadNumber(configuration, MaxBytesSetting, defaults.MaxBytes, 1, 1L << 32),
            MaxPixels = ReadNumber(configuration, MaxPixelsSetting, defaults.MaxPixels, 1, 1L << 40),
            Concurrency = (int)ReadNumber(configuration, ConcurrencySetting, defaults.Concurrency, 1, 256),
            ReconciliationGrace = configuration.GetTimeSpan(ReconciliationGraceSetting, defaults.ReconciliationGrace, TimeSpan.Zero),
            UploadEventDelay = configuration.GetTimeSpan(UploadEventDelaySetting, defaults.UploadEventDelay, TimeSpan.FromSeconds(1)),
        };
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

    private static long ReadNumber(IConfiguration configuration, string name, long fallback, long min, long max) =>
        configuration.GetLong(name, fallback, min, max);

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

    private static string ContainerName(IConfiguration configuration, string name, string fallback)
    {
        var value = configuration.GetSetting(name, fallback);
        var valid = value.Length is >= 3 and <= 63
            && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1])
            && !value.Contains("--", StringComparison.Ordinal)
            && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
        return valid ? value : throw new InvalidSettingException(name, $"must be a container name (3-63 lowercase letters, digits and single hyphens), not '{value}'");
    }

    private static string TableName(IConfiguration configuration, string name, string fallback)
    {
        var value = configuration.GetSetting(name, fallback);
        var valid = value.Length is >= 3 and <= 63 && char.IsAsciiLetter(value[0]) && value.All(char.IsAsciiLetterOrDigit);
        return valid ? value : throw new InvalidSettingException(name, $"must be a table name (3-63 letters and digits, starting with a letter), not '{value}'");
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
