namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The image formats accepted as sources: the ones whose libvips loaders stay unblocked
/// (see <see cref="NetVipsRuntime"/>). Anything else (TIFF, SVG, PDF, HEIF, ...) is refused,
/// because every extra decoder is extra attack surface for hostile uploads.
/// </summary>
public sealed record SourceImageFormat(string Name, string Extension, string ContentType)
{
    public static readonly SourceImageFormat Jpeg = new("JPEG", "jpg", "image/jpeg");
    public static readonly SourceImageFormat Png = new("PNG", "png", "image/png");
    public static readonly SourceImageFormat Webp = new("WebP", "webp", "image/webp");
    public static readonly SourceImageFormat Gif = new("GIF", "gif", "image/gif");

    public static IReadOnlyList<SourceImageFormat> All { get; } = [Jpeg, Png, Webp, Gif];

    /// <summary>Extensions a blob name may end with (case-insensitive); <c>jpeg</c> is a JPEG too.</summary>
    public static IReadOnlyList<string> Extensions { get; } = ["jpg", "jpeg", "png", "webp", "gif"];

    public static SourceImageFormat? FromExtension(string extension) => extension.ToLowerInvariant() switch
    {
        "jpg" or "jpeg" => Jpeg,
        "png" => Png,
        "webp" => Webp,
        "gif" => Gif,
        _ => null,
    };

    public static SourceImageFormat? FromContentType(string? contentType)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        return All.FirstOrDefault(f => string.Equals(f.ContentType, mediaType, StringComparison.OrdinalIgnoreCase))
            ?? (string.Equals(mediaType, "image/jpg", StringComparison.OrdinalIgnoreCase) ? Jpeg : null);
    }

    /// <summary>Recognises a format by its signature bytes: what the content is, whatever its name or content type claims.</summary>
    public static SourceImageFormat? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return Webp;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        return null;
    }
}
