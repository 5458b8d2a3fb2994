using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.UnitTests.Thumbnails;

public sealed class ImageNameTests
{
    [Theory]
    [InlineData("cat.jpg", "cat", "jpg")]
    [InlineData("0193a2b4c5d6e7f8a9b0c1d2e3f4a5b6.PNG", "0193a2b4c5d6e7f8a9b0c1d2e3f4a5b6", "PNG")]
    [InlineData("holiday_2024-07.jpeg", "holiday_2024-07", "jpeg")]
    [InlineData("a.webp", "a", "webp")]
    [InlineData("b.gif", "b", "gif")]
    public void A_flat_name_with_a_supported_extension_is_an_image(string blobName, string id, string extension)
    {
        Assert.True(ImageName.TryParse(blobName, out var name, out var reason), reason);
        Assert.Equal(new ImageName(id, extension), name);
        Assert.Equal(blobName, name.BlobName);
    }

    [Theory]
    [InlineData("../secret.jpg", "'..'")]
    [InlineData("a..jpg", "'..'")]
    [InlineData("..jpg", "'..'")]
    [InlineData("dir/cat.jpg", "slash")]
    [InlineData("/cat.jpg", "slash")]
    [InlineData("dir\\cat.jpg", "slash")]
    [InlineData("cat\u0000.jpg", "control characters")]
    [InlineData("cat\n.jpg", "control characters")]
    [InlineData("cat\u007f.jpg", "control characters")]
    [InlineData("cat\u0085.jpg", "control characters")]
    [InlineData("cat", "no extension")]
    [InlineData(".jpg", "no extension")]
    [InlineData("cat.bmp", "'.bmp' is not supported")]
    [InlineData("cat.jpg.exe", "'.exe' is not supported")]
    [InlineData("my cat.jpg", "image id")]
    [InlineData("cat.v2.jpg", "image id")]
    [InlineData("kätzchen.jpg", "image id")]
    [InlineData("", "empty")]
    public void A_hostile_or_unusable_name_is_refused_with_the_reason(string blobName, string expected)
    {
        Assert.False(ImageName.TryParse(blobName, out _, out var reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_longer_than_128_characters_is_refused()
    {
        Assert.True(ImageName.TryParse(new string('a', 128) + ".jpg", out _, out _));
        Assert.False(ImageName.TryParse(new string('a', 129) + ".jpg", out _, out _));
    }

    [Fact]
    public void Printable_escapes_control_characters_so_a_name_cannot_forge_log_lines()
    {
        Assert.Equal("a\\u000aINFO forged\\u0000.jpg", ImageName.Printable("a\nINFO forged\0.jpg"));
    }
}
