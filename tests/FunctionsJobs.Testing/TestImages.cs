using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using NetVips;

namespace FunctionsJobs.Testing;

/// <summary>Images made on the spot with libvips, so no binary fixtures are needed.</summary>
public static class TestImages
{
    /// <summary>A photo-like JPEG: smooth gradients with a little grain, as a camera would produce.</summary>
    public static byte[] Jpeg(int width, int height, int quality = 85, int? orientation = null, bool gps = false)
    {
        using var image = Photo(width, height);
        if (orientation is null && !gps)
        {
            return image.JpegsaveBuffer(q: quality);
        }

        using var tagged = image.Mutate(m =>
        {
            if (orientation is { } o)
            {
                m.Set(GValue.GIntType, "orientation", o);
            }

            if (gps)
            {
                m.Set(GValue.GStrType, "exif-ifd3-GPSLatitudeRef", "N");
                m.Set(GValue.GStrType, "exif-ifd3-GPSLatitude", "48/1 51/1 30/1");
            }
        });
        return tagged.JpegsaveBuffer(q: quality, keep: Enums.ForeignKeep.Exif);
    }

    public static byte[] Png(int width, int height, bool alpha = false)
    {
        using var image = Photo(width, height);
        if (!alpha)
        {
            return image.PngsaveBuffer(compression: 1);
        }

        // Transparent left half: a thumbnail must not turn it black.
        using var xyz = Image.Xyz(width, height);
        using var x = xyz[0];
        using var opaqueRight = x >= (width / 2.0);
        using var withAlpha = image.Bandjoin(opaqueRight);
        return withAlpha.PngsaveBuffer(compression: 1);
    }

    public static byte[] Webp(int width, int height)
    {
        using var image = Photo(width, height);
        return image.WebpsaveBuffer(q: 80);
    }

    public static byte[] Gif(int width, int height)
    {
        using var image = Photo(width, height);
        return image.GifsaveBuffer();
    }

    public static byte[] Tiff(int width, int height)
    {
        using var image = Photo(width, height);
        return image.TiffsaveBuffer();
    }

    /// <summary>
    /// A well-formed PNG whose header declares <paramref name="width"/> x <paramref name="height"/>
    /// but which carries almost no data: what a decompression-bomb upload looks like.
    /// </summary>
    /// <param name="bitDepth">8 or 16 bits a sample.</param>
    /// <param name="colorType">2 (RGB) or 6 (RGBA), as the PNG header numbers them.</param>
    public static byte[] PngHeader(int width, int height, byte bitDepth = 8, byte colorType = 2)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;
        var bytesPerPixel = (colorType == 6 ? 4 : 3) * bitDepth / 8;
        WriteChunk(output, "IHDR", ihdr);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(new byte[1 + (bytesPerPixel * Math.Min(width, 1024))]);
            }

            WriteChunk(output, "IDAT", compressed.ToArray());
        }

        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Width, height and metadata field names of an encoded image.</summary>
    public static (int Width, int Height, string[] Fields) Inspect(byte[] encoded)
    {
        using var image = Image.NewFromBuffer(encoded);
        return (image.Width, image.Height, image.GetFields());
    }

    private static Image Photo(int width, int height)
    {
        using var xyz = Image.Xyz(width, height);
        using var x = xyz[0];
        using var y = xyz[1];
        using var red = x * (255.0 / width);
        using var green = y * (255.0 / height);
        using var blue = (x + y) * (127.0 / (width + height));
        using var grain = Image.Gaussnoise(width, height, sigma: 6, mean: 0);
        using var rgb = red.Bandjoin(green, blue);
        using var noisy = rgb + grain;
        using var clipped = noisy.Cast(Enums.BandFormat.Uchar);
        return clipped.Copy(interpretation: Enums.Interpretation.Srgb).CopyMemory();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, crc.GetCurrentHashAsUInt32());
        output.Write(sum);
    }
}
