using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;

namespace FunctionsJobs.UnitTests.Thumbnails;

public sealed class SourceImageFormatTests
{
    [Fact]
    public void Formats_are_recognised_by_their_bytes_not_their_names()
    {
        Assert.Same(SourceImageFormat.Jpeg, SourceImageFormat.Sniff(TestImages.Jpeg(16, 16)));
        Assert.Same(SourceImageFormat.Png, SourceImageFormat.Sniff(TestImages.Png(16, 16)));
        Assert.Same(SourceImageFormat.Webp, SourceImageFormat.Sniff(TestImages.Webp(16, 16)));
        Assert.Same(SourceImageFormat.Gif, SourceImageFormat.Sniff(TestImages.Gif(16, 16)));
        Assert.Null(SourceImageFormat.Sniff(TestImages.Tiff(16, 16)));
        Assert.Null(SourceImageFormat.Sniff("GIF8"u8));
        Assert.Null(SourceImageFormat.Sniff([]));
    }

    [Theory]
    [InlineData("image/jpeg", "JPEG")]
    [InlineData("image/JPG", "JPEG")]
    [InlineData("image/png; charset=binary", "PNG")]
    [InlineData("text/plain", null)]
    [InlineData("image/svg+xml", null)]
    public void Content_types_map_to_formats(string contentType, string? expected)
    {
        Assert.Equal(expected, SourceImageFormat.FromContentType(contentType)?.Name);
    }
}
