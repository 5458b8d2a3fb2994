using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.UnitTests.Settings;

/// <summary>The one reader of whole numbers, time spans and flags in settings.</summary>
public sealed class SettingValueTests
{
    [Theory]
    [InlineData(null, 7)]
    [InlineData("1", 1)]
    [InlineData("36500", 36500)]
    public void A_whole_number_within_bounds_or_absent_reads(string? value, int expected)
    {
        Assert.Equal(expected, SettingValue.Whole<int>(value, "Days", 7, 1, 36500));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("36501")]
    [InlineData("7.5")]
    [InlineData("seven")]
    [InlineData("")]
    public void A_bad_whole_number_is_named_with_its_unit_and_quoted(string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingValue.Whole<int>(value, "RetentionDays", 7, 1, 36500, unit: "days"));

        Assert.Equal($"setting 'RetentionDays' must be a whole number of days from 1 to 36500, not '{value}'", error.Message);
    }

    [Fact]
    public void A_required_whole_number_that_is_absent_fails()
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingValue.Whole<int>(null, "retry:maxRetryCount", null, 0, 100));

        Assert.Equal("setting 'retry:maxRetryCount' must be a whole number from 0 to 100, not ''", error.Message);
    }

    [Fact]
    public void Long_whole_numbers_read_past_the_int_range()
    {
        Assert.Equal(26_214_400_000L, SettingValue.Whole<long>("26214400000", "MaxBytes", 1, 1, long.MaxValue));
    }

    [Theory]
    [InlineData("00:00:10", "setting 'Lock' must be a time span from 00:00:15 to 00:01:00, not '00:00:10'")]
    [InlineData("00:02:00", "setting 'Lock' must be a time span from 00:00:15 to 00:01:00, not '00:02:00'")]
    [InlineData("soon", "setting 'Lock' must be a time span written as hh:mm:ss, not 'soon'")]
    public void A_time_span_out_of_its_range_or_unreadable_is_named_and_quoted(string value, string expected)
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingValue.Duration(value, "Lock", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(1)));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_time_span_below_its_minimum_says_the_minimum()
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingValue.Duration("00:00:00.099", "Poll", null, TimeSpan.FromMilliseconds(100)));

        Assert.Equal("setting 'Poll' must be at least 00:00:00.1000000, not '00:00:00.099'", error.Message);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    public void A_flag_reads_true_or_false(string? value, bool expected)
    {
        Assert.Equal(expected, SettingValue.Flag(value, "RunOnStartup", true));
    }

    [Fact]
    public void A_flag_that_is_neither_fails_naming_it()
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingValue.Flag("yes", "RunOnStartup", false));

        Assert.Equal("setting 'RunOnStartup' must be true or false, not 'yes'", error.Message);
    }
}
