using System.Diagnostics;
using System.Text;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsJobs.UnitTests.Thumbnails;

public sealed class ThumbnailGeneratorTests
{
    private static ThumbnailGenerator Generator(ThumbnailSettings? settings = null) =>
        new(settings ?? new ThumbnailSettings(), NullLogger<ThumbnailGenerator>.Instance);

    private static string Rejection(byte[] source, ThumbnailSettings? settings = null) =>
        Assert.Throws<ImageRejectedException>(() => Generator(settings).Generate(source)).Reason;

    [Fact]
    public void A_landscape_jpeg_becomes_every_size_inside_its_bounding_box_with_the_aspect_kept()
    {
        var thumbnails = Generator().Generate(TestImages.Jpeg(1600, 1200));

        Assert.Equal([512, 256, 128], thumbnails.Select(t => t.Size));
        foreach (var thumbnail in thumbnails)
        {
            var (width, height, _) = TestImages.Inspect(thumbnail.Content);
            Assert.Equal((thumbnail.Size, thumbnail.Size * 3 / 4), (width, height));
            Assert.Equal((width, height), (thumbnail.Width, thumbnail.Height));
            Assert.Equal([0xFF, 0xD8, 0xFF], thumbnail.Content[..3]);
        }
    }

    [Fact]
    public void Exif_orientation_is_honoured_so_a_rotated_photo_comes_out_portrait()
    {
        // Stored 800x600 with orientation 6 (rotate 90 clockwise to view): a portrait photo.
        var thumbnails = Generator().Generate(TestImages.Jpeg(800, 600, orientation: 6));

        foreach (var thumbnail in thumbnails)
        {
            var (width, height, fields) = TestImages.Inspect(thumbnail.Content);
            Assert.Equal((thumbnail.Size * 3 / 4, thumbnail.Size), (width, height));
            Assert.DoesNotContain("orientation", fields);
        }
    }

    [Fact]
    public void Gps_and_all_other_metadata_are_stripped()
    {
        var source = TestImages.Jpeg(640, 480, gps: true);
        Assert.Contains(TestImages.Inspect(source).Fields, f => f.StartsWith("exif-ifd3-GPS", StringComparison.Ordinal));

        foreach (var thumbnail in Generator().Generate(source))
        {
            var fields = TestImages.Inspect(thumbnail.Content).Fields;
            Assert.DoesNotContain(fields, f => f.StartsWith("exif", StringComparison.Ordinal) || f.Contains("gps", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain("xmp-data", fields);
            Assert.DoesNotContain("icc-profile-data", fields);
        }
    }

    [Fact]
    public void A_small_image_is_never_enlarged()
    {
        var thumbnails = Generator().Generate(TestImages.Png(200, 100));

        Assert.Equal([(200, 100), (200, 100), (128, 64)], thumbnails.Select(t => (t.Width, t.Height)));
    }

    [Fact]
    public void Transparent_png_pixels_become_white_in_a_jpeg_not_black()
    {
        var thumbnail = Generator().Generate(TestImages.Png(400, 400, alpha: true)).Last();

        using var image = NetVips.Image.NewFromBuffer(thumbnail.Content);
        Assert.Equal(3, image.Bands);
        Assert.True(image.Getpoint(2, 64).All(v => v > 240), "transparent half is white");
    }

    [Theory]
    [InlineData("webp", "image/webp")]
    [InlineData("gif", "image/gif")]
    public void Webp_and_gif_sources_are_accepted(string kind, string expectedContentType)
    {
        var source = kind == "webp" ? TestImages.Webp(300, 200) : TestImages.Gif(300, 200);
        Assert.Equal(expectedContentType, SourceImageFormat.Sniff(source)!.ContentType);

        Assert.Equal(3, Generator().Generate(source).Count);
    }

    [Fact]
    public void The_output_format_and_quality_follow_the_settings()
    {
        var webp = Generator(new ThumbnailSettings { Format = ThumbnailFormat.Webp, Sizes = [64] }).Generate(TestImages.Jpeg(400, 300));
        Assert.Equal("WEBP"u8.ToArray(), Assert.Single(webp).Content[8..12]);

        var source = TestImages.Jpeg(1200, 900);
        var low = Generator(new ThumbnailSettings { Quality = 20, Sizes = [512] }).Generate(source)[0].Content.Length;
        var high = Generator(new ThumbnailSettings { Quality = 95, Sizes = [512] }).Generate(source)[0].Content.Length;
        Assert.True(low < high, $"quality 20 gives {low} bytes, quality 95 {high}");
    }

    [Fact]
    public void A_zero_byte_file_is_rejected()
    {
        Assert.Equal("the image is empty (0 bytes)", Rejection([]));
    }

    [Fact]
    public void A_truncated_jpeg_is_rejected_not_turned_into_a_half_grey_thumbnail()
    {
        var jpeg = TestImages.Jpeg(1600, 1200);

        var reason = Rejection(jpeg[..(jpeg.Length / 2)]);

        Assert.StartsWith("the JPEG data is corrupt or truncated", reason, StringComparison.Ordinal);
        Assert.Contains("premature end", reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_truncated_png_is_rejected()
    {
        var png = TestImages.Png(800, 600);

        Assert.StartsWith("the PNG data is corrupt or truncated", Rejection(png[..(png.Length / 2)]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_file_named_jpg_is_rejected_as_not_an_image()
    {
        var reason = Rejection(Encoding.UTF8.GetBytes("this is a text file, not a photo\n"));

        Assert.StartsWith("the content is not an image in a supported format", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_declaring_50000x50000_is_rejected_from_its_header_within_100_ms()
    {
        var bomb = TestImages.PngHeader(50_000, 50_000);
        Generator().Generate(TestImages.Png(32, 32)); // libvips loaded before the clock starts

        var clock = Stopwatch.StartNew();
        var reason = Rejection(bomb);
        clock.Stop();

        Assert.True(bomb.Length < 1024, $"the bomb is {bomb.Length} bytes");
        Assert.Equal("the image declares 50000x50000 = 2500000000 pixels; the limit is 100000000 pixels", reason);
        Assert.True(clock.ElapsedMilliseconds < 100, $"rejected after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void A_16_bit_rgba_png_within_the_pixel_limit_but_twice_the_memory_is_rejected_from_its_header()
    {
        var reason = Rejection(TestImages.PngHeader(8000, 8000, bitDepth: 16, colorType: 6));

        Assert.Equal("the image declares 8000x8000 pixels of 8 bytes = 512000000 bytes decoded; the limit is 400000000 bytes (100000000 pixels of 4 bytes)", reason);

        // Its 8-bit twin fits; with no data behind its header it fails only when decoded.
        Assert.StartsWith("the PNG data is corrupt or truncated", Rejection(TestImages.PngHeader(8000, 8000, bitDepth: 8, colorType: 6)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_pixel_limit_is_a_setting()
    {
        var reason = Rejection(TestImages.Jpeg(400, 300), new ThumbnailSettings { MaxPixels = 100_000 });

        Assert.Equal("the image declares 400x300 = 120000 pixels; the limit is 100000 pixels", reason);
    }

    [Theory]
    [InlineData("tiff")]
    [InlineData("svg")]
    [InlineData("bmp")]
    public void An_unsupported_format_is_rejected(string kind)
    {
        var source = kind switch
        {
            "tiff" => TestImages.Tiff(64, 64),
            "svg" => Encoding.UTF8.GetBytes("<svg xmlns='http://www.w3.org/2000/svg' width='4000' height='4000'><rect width='10' height='10'/></svg>"),
            _ => [(byte)'B', (byte)'M', 0x3A, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0],
        };

        Assert.StartsWith("the content is not an image in a supported format (JPEG, PNG, WebP, GIF)", Rejection(source), StringComparison.Ordinal);
    }

    [Fact]
    public void A_jpeg_signature_followed_by_garbage_is_rejected()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0xFF;
        garbage[1] = 0xD8;
        garbage[2] = 0xFF;

        Assert.Contains("JPEG", Rejection(garbage), StringComparison.Ordinal);
    }
}
