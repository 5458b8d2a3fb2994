using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.UnitTests.Settings;

public sealed class SettingDefaultsTests
{
    [Fact]
    public void GetSetting_returns_the_fallback_when_absent()
    {
        Assert.Equal("orders", TestConfig.From().GetSetting("Queues:Orders", "orders"));
    }

    [Fact]
    public void GetSetting_returns_the_trimmed_value_when_present()
    {
        var config = TestConfig.From(("Queues:Orders", "  orders-eu \t"));

        Assert.Equal("orders-eu", config.GetSetting("Queues:Orders", "orders"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t")]
    public void GetSetting_blank_value_fails_naming_the_setting(string value)
    {
        var config = TestConfig.From(("Queues:Orders", value));

        var error = Assert.Throws<InvalidSettingException>(() => config.GetSetting("Queues:Orders", "orders"));

        Assert.Equal("Queues:Orders", error.Setting);
        Assert.Contains("'Queues:Orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetTimeSpan_returns_the_fallback_when_absent()
    {
        var value = TestConfig.From().GetTimeSpan("X:Timeout", TimeSpan.FromSeconds(7), TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(7), value);
    }

    [Theory]
    [InlineData("00:00:30", 30_000)]
    [InlineData("00:01:00", 60_000)]
    [InlineData("00:00:00.250", 250)]
    [InlineData("00:00:01", 1_000)]
    public void GetTimeSpan_parses_hh_mm_ss(string value, int expectedMilliseconds)
    {
        var parsed = TestConfig.From(("X:Timeout", value)).GetTimeSpan("X:Timeout", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1) / 4);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), parsed);
    }

    [Fact]
    public void GetTimeSpan_accepts_exactly_the_minimum()
    {
        var parsed = TestConfig.From(("X:Timeout", "00:00:02")).GetTimeSpan("X:Timeout", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), parsed);
    }

    [Fact]
    public void GetTimeSpan_below_the_minimum_fails_naming_the_setting()
    {
        var config = TestConfig.From(("X:Timeout", "00:00:01"));

        var error = Assert.Throws<InvalidSettingException>(() => config.GetTimeSpan("X:Timeout", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2)));

        Assert.Equal("X:Timeout", error.Setting);
        Assert.Contains("at least 00:00:02", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("10 seconds")]
    [InlineData("00:99:00")]
    public void GetTimeSpan_garbage_fails_naming_the_setting_and_value(string value)
    {
        var config = TestConfig.From(("X:Timeout", value));

        var error = Assert.Throws<InvalidSettingException>(() => config.GetTimeSpan("X:Timeout", TimeSpan.FromMinutes(1), TimeSpan.Zero));

        Assert.Equal("X:Timeout", error.Setting);
        Assert.Contains("hh:mm:ss", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }
}
