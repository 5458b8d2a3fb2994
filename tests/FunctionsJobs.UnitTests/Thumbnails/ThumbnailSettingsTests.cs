using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.UnitTests.Thumbnails;

public sealed class ThumbnailSettingsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var settings = ThumbnailSettings.FromConfiguration(TestConfig.From());

        Assert.Equal("images", settings.ImagesContainer);
        Assert.Equal("thumbnails", settings.ThumbnailsContainer);
        Assert.Equal("ThumbnailStatus", settings.StatusTable);
        Assert.Equal("thumbnail-events", settings.EventsQueue);
        Assert.Equal([512, 256, 128], settings.Sizes);
        Assert.Equal(80, settings.Quality);
        Assert.Equal(ThumbnailFormat.Jpeg, settings.Format);
        Assert.Equal(25L * 1024 * 1024, settings.MaxBytes);
        Assert.Equal(100_000_000, settings.MaxPixels);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.ReconciliationGrace);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.UploadEventDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.ScanInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ScanMaxInterval);
        Assert.Equal("ThumbnailScanReceipts", settings.ScanReceiptsTable);
    }

    [Fact]
    public void A_scan_interval_above_the_default_maximum_raises_the_maximum_with_it()
    {
        var settings = ThumbnailSettings.FromConfiguration(TestConfig.From(("ThumbnailBlobScanInterval", "00:00:10")));

        Assert.Equal(TimeSpan.FromSeconds(10), settings.ScanMaxInterval);
    }

    [Fact]
    public void A_scan_maximum_below_the_interval_names_the_setting()
    {
        var error = Assert.Throws<InvalidSettingException>(() => ThumbnailSettings.FromConfiguration(
            TestConfig.From(("ThumbnailBlobScanInterval", "00:00:02"), ("ThumbnailBlobScanMaxInterval", "00:00:01"))));

        Assert.Equal("ThumbnailBlobScanMaxInterval", error.Setting);
    }

    [Fact]
    public void Sizes_are_read_deduplicated_and_largest_first()
    {
        var settings = ThumbnailSettings.FromConfiguration(TestConfig.From(("ThumbnailSizes", " 64, 1024,64,300 "), ("ThumbnailFormat", "WebP")));

        Assert.Equal([1024, 300, 64], settings.Sizes);
        Assert.Equal(ThumbnailFormat.Webp, settings.Format);
        Assert.Equal("webp", settings.Format.Extension());
    }

    [Theory]
    [InlineData("ThumbnailSizes", "128,abc")]
    [InlineData("ThumbnailSizes", "8")]
    [InlineData("ThumbnailSizes", "")]
    [InlineData("ThumbnailQuality", "0")]
    [InlineData("ThumbnailQuality", "101")]
    [InlineData("ThumbnailFormat", "bmp")]
    [InlineData("ThumbnailMaxBytes", "-1")]
    [InlineData("ThumbnailMaxPixels", "lots")]
    [InlineData("ThumbnailReconciliationGrace", "-00:00:01")]
    [InlineData("ThumbnailUploadEventDelay", "00:00:00.5")]
    [InlineData("ImagesContainerName", "Images")]
    [InlineData("ThumbnailsContainerName", "a")]
    [InlineData("ThumbnailStatusTableName", "thumb-status")]
    public void A_malformed_setting_fails_naming_itself(string name, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => ThumbnailSettings.FromConfiguration(TestConfig.From((name, value))));

        Assert.Equal(name, error.Setting);
    }
}

public sealed class NativeHeapTests
{
    [Fact]
    public void The_malloc_arena_cap_is_taken_by_glibc_on_linux()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return;
        }

        Assert.True(NativeHeap.LimitArenas());
    }
}
