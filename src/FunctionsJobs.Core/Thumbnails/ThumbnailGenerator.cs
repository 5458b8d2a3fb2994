using System.Globalization;
using Microsoft.Extensions.Logging;
using NetVips;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>One thumbnail as encoded bytes.</summary>
public sealed record GeneratedThumbnail(int Size, int Width, int Height, byte[] Content);

/// <summary>
/// Turns a source image into every configured size with libvips. The header is read first and an
/// image declaring more than <see cref="ThumbnailSettings.MaxPixels"/> is refused before a pixel
/// is decoded. Then ONE decode, with shrink-on-load, at the largest size; the smaller sizes are
/// resized from that in-memory copy (measured faster than a shrink-on-load decode per size, see
/// docs/thumbnails.md). EXIF orientation is applied, metadata (EXIF, GPS, XMP, ICC) is dropped,
/// and truncated or corrupt data fails (<c>fail_on=error</c>) instead of yielding a grey half-image.
/// </summary>
public sealed class ThumbnailGenerator
{
    // thumbnail_buffer ignores its fail_on argument in this libvips; the loader option string is honoured.
    private const string LoadOptions = "fail_on=error";
    private static readonly double[] White = [255, 255, 255];

    private readonly ThumbnailSettings _settings;

    public ThumbnailGenerator(ThumbnailSettings settings, ILogger<ThumbnailGenerator> logger)
    {
        _settings = settings;
        NetVipsRuntime.Initialize(logger);
    }

    /// <exception cref="ImageRejectedException">The content can never become thumbnails; the reason says why.</exception>
    public IReadOnlyList<GeneratedThumbnail> Generate(byte[] source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length == 0)
        {
            throw new ImageRejectedException("the image is empty (0 bytes)");
        }

        if (source.Length > _settings.MaxBytes)
        {
            throw new ImageRejectedException($"the image is {source.Length} bytes; the limit is {_settings.MaxBytes} bytes");
        }

        var format = SourceImageFormat.Sniff(source)
            ?? throw new ImageRejectedException($"the content is not an image in a supported format ({string.Join(", ", SourceImageFormat.All.Select(f => f.Name))})");

        CheckHeader(source, format);

        var largestSize = _settings.Sizes[0];
        try
        {
            using var decoded = Image.ThumbnailBuffer(source, largestSize, optionString: LoadOptions, height: largestSize, size: Enums.Size.Down);
            using var largest = Flatten(decoded.CopyMemory());
            var result = new List<GeneratedThumbnail>(_settings.Sizes.Count);
            foreach (var size in _settings.Sizes)
            {
                if (size == largestSize)
                {
                    result.Add(Encode(largest, size));
                    continue;
                }

                using var smaller = largest.ThumbnailImage(size, height: size, size: Enums.Size.Down);
                result.Add(Encode(smaller, size));
            }

            return result;
        }
        catch (VipsException ex)
        {
            throw new ImageRejectedException($"the {format.Name} data is corrupt or truncated ({Detail(ex)})", ex);
        }
        finally
        {
            NativeHeap.Trim();
        }
    }

    private void CheckHeader(byte[] source, SourceImageFormat format)
    {
        int width, height, bands;
        Enums.BandFormat sampleFormat;
        try
        {
            // Lazy and sequential: only the header is parsed here, whatever size it declares.
            using var header = Image.NewFromBuffer(source, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error);
            (width, height, bands, sampleFormat) = (header.Width, header.Height, header.Bands, header.Format);
        }
        catch (VipsException ex)
        {
            throw new ImageRejectedException($"the {format.Name} header cannot be read ({Detail(ex)})", ex);
        }

        var pixels = (long)width * height;
        if (pixels > _settings.MaxPixels)
        {
            throw new ImageRejectedException(string.Create(
                CultureInfo.InvariantCulture, $"the image declares {width}x{height} = {pixels} pixels; the limit is {_settings.MaxPixels} pixels"));
        }

        // Some images are decoded whole (interlaced PNG, progressive JPEG), and 16-bit samples take
        // twice the memory: the decoded image may be as large as an 8-bit RGBA one at the pixel
        // limit, what the default concurrency budgets for (ThumbnailSettings.DecodeBytesPerPixel).
        var bytesPerPixel = bands * BytesPerSample(sampleFormat);
        var limit = _settings.MaxPixels * 4;
        if (pixels * bytesPerPixel > limit)
        {
            throw new ImageRejectedException(string.Create(
                CultureInfo.InvariantCulture, $"the image declares {width}x{height} pixels of {bytesPerPixel} bytes = {pixels * bytesPerPixel} bytes decoded; the limit is {limit} bytes ({_settings.MaxPixels} pixels of 4 bytes)"));
        }
    }

    private static int BytesPerSample(Enums.BandFormat format) => format switch
    {
        Enums.BandFormat.Uchar or Enums.BandFormat.Char => 1,
        Enums.BandFormat.Ushort or Enums.BandFormat.Short => 2,
        Enums.BandFormat.Complex or Enums.BandFormat.Double => 8,
        Enums.BandFormat.Dpcomplex => 16,
        _ => 4,
    };

    private Image Flatten(Image image)
    {
        if (_settings.Format != ThumbnailFormat.Jpeg || !image.HasAlpha())
        {
            return image;
        }

        // JPEG has no alpha: composite on white rather than let transparent pixels turn black.
        using (image)
        {
            return image.Flatten(background: White);
        }
    }

    private GeneratedThumbnail Encode(Image image, int size)
    {
        var content = _settings.Format switch
        {
            ThumbnailFormat.Webp => image.WebpsaveBuffer(q: _settings.Quality, keep: Enums.ForeignKeep.None),
            ThumbnailFormat.Png => image.PngsaveBuffer(keep: Enums.ForeignKeep.None),
            _ => image.JpegsaveBuffer(q: _settings.Quality, optimizeCoding: true, keep: Enums.ForeignKeep.None),
        };
        return new GeneratedThumbnail(size, image.Width, image.Height, content);
    }

    // The first line says what failed ("unable to copy to memory"), the next ones why.
    private static string Detail(VipsException ex)
    {
        var lines = ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Take(3);
        var detail = string.Join("; ", lines);
        return detail.Length == 0 ? "libvips error" : detail.Length > 300 ? detail[..300] : detail;
    }
}
