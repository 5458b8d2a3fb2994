using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.UnitTests.SalesReport;

public sealed class SalesReportDayTests
{
    [Theory]
    [InlineData("UTC", "2026-11-23", "2026-11-22")]
    [InlineData("Europe/Berlin", "2026-11-23", "2026-11-22")] // 01:00 UTC
    [InlineData("Europe/Berlin", "2026-07-15", "2026-07-14")] // 00:00 UTC in summer time
    [InlineData("America/Los_Angeles", "2026-11-23", "2026-11-22")] // 10:00 UTC
    [InlineData("Asia/Tokyo", "2026-11-23", "2026-11-21")] // 17:00 UTC on the 22nd, which is still taking orders
    [InlineData("W. Europe Standard Time", "2026-03-29", "2026-03-28")] // the night clocks spring forward: 02:00 does not exist, runs at 03:00 CEST = 01:00 UTC
    public void The_default_02_00_occurrence_reports_the_last_UTC_day_that_had_ended(string zone, string localDate, string expected)
    {
        JobSchedule.TryParse(SalesReportSettings.DefaultSchedule, ScheduleTimeZone.Find(zone)!, out var schedule);
        var midnight = DateOnly.Parse(localDate, System.Globalization.CultureInfo.InvariantCulture);
        var zoneInfo = ScheduleTimeZone.Find(zone)!;
        var startOfDay = new DateTimeOffset(midnight.ToDateTime(TimeOnly.MinValue), zoneInfo.GetUtcOffset(midnight.ToDateTime(TimeOnly.MinValue)));
        var occurrence = schedule!.GetNextOccurrence(startOfDay);

        Assert.Equal(midnight, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(occurrence, zoneInfo).DateTime));
        Assert.Equal(expected, SalesReportDay.Name(SalesReportDay.Resolve(null, occurrence, DateTimeOffset.MaxValue)));
    }

    [Fact]
    public void Without_an_occurrence_a_run_reports_the_UTC_day_before_now() =>
        Assert.Equal(new DateOnly(2026, 11, 22), SalesReportDay.Resolve(null, null, new DateTimeOffset(2026, 11, 23, 4, 0, 0, TimeSpan.FromHours(3))));

    [Fact]
    public void A_manual_run_names_its_day_in_its_input() =>
        Assert.Equal(new DateOnly(2026, 2, 28), SalesReportDay.Resolve(" 2026-02-28 ", new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero), DateTimeOffset.UtcNow));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-02-30")]
    [InlineData("22.11.2026")]
    [InlineData("2026-11-22T00:00:00Z")]
    public void A_manual_input_that_is_not_a_day_fails_the_run_naming_the_format(string input)
    {
        var error = Assert.Throws<ArgumentException>(() => SalesReportDay.Resolve(input, null, DateTimeOffset.UtcNow));

        Assert.Contains("yyyy-MM-dd", error.Message, StringComparison.Ordinal);
        Assert.Contains(input, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1023")]
    [InlineData("67108865")]
    [InlineData("1MB")]
    [InlineData("-4096")]
    public void A_block_size_out_of_range_names_the_setting(string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => SalesReportSettings.FromConfiguration(TestConfig.From((SalesReportSettings.BlockBytesSetting, value))));

        Assert.Equal(SalesReportSettings.BlockBytesSetting, error.Setting);
    }

    [Fact]
    public void Settings_default_to_the_reports_container_and_one_MiB_blocks() =>
        Assert.Equal(new SalesReportOptions("reports", 1024 * 1024), SalesReportSettings.FromConfiguration(TestConfig.From()));
}
