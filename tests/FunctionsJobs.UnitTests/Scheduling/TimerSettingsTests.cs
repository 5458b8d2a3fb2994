using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Scheduling.Retention;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Scheduling;

namespace FunctionsJobs.UnitTests.Scheduling;

public sealed class TimerSettingsTests
{
    [Fact]
    public void WEBSITE_TIME_ZONE_wins_over_TZ_and_neither_means_UTC()
    {
        Assert.Equal("Europe/Berlin", ScheduleTimeZone.FromConfiguration(TestConfig.From(("WEBSITE_TIME_ZONE", "Europe/Berlin"), ("TZ", "Asia/Tokyo"))).Id);
        Assert.Equal("Asia/Tokyo", ScheduleTimeZone.FromConfiguration(TestConfig.From(("TZ", ":Asia/Tokyo"))).Id);
        Assert.Equal(TimeZoneInfo.Utc, ScheduleTimeZone.FromConfiguration(TestConfig.From()));
    }

    [Theory]
    [InlineData("WEBSITE_TIME_ZONE", "Mars/Olympus_Mons")]
    [InlineData("TZ", "Nowhere Standard Time")]
    [InlineData("TZ", " ")]
    public void An_unknown_time_zone_is_refused_naming_its_setting(string setting, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => ScheduleTimeZone.FromConfiguration(TestConfig.From((setting, value))));

        Assert.Equal(setting, error.Setting);
    }

    [Theory]
    [InlineData(null, null, "functionsjobs")]
    [InlineData("my-app", null, "my-app")]
    [InlineData(null, "Contoso_Orders.Prod", "contoso-orders-prod")]
    [InlineData(null, "a-site-name-that-is-far-longer-than-thirty-two-characters", "a-site-name-that-is-far-longer-t")]
    public void The_host_id_comes_from_its_setting_else_from_the_site_name(string? hostId, string? siteName, string expected)
    {
        var options = TimerOptions.FromConfiguration(TestConfig.From(("AzureFunctionsWebHost:hostid", hostId), ("WEBSITE_SITE_NAME", siteName)));

        Assert.Equal(expected, options.HostId);
        Assert.Equal($"locks/{expected}/RetentionCleanup", options.LockBlobName("RetentionCleanup"));
        Assert.Equal($"timers/{expected}/RetentionCleanup/status", options.StatusBlobName("RetentionCleanup"));
    }

    [Theory]
    [InlineData("AzureFunctionsWebHost:hostid", "My_App")]
    [InlineData("AzureFunctionsWebHost:hostid", "-app")]
    [InlineData("AzureFunctionsWebHost:hostid", "a-host-id-of-more-than-thirty-two-chars")]
    [InlineData("FunctionsJobs:Timers:LockPeriod", "00:00:10")]
    [InlineData("FunctionsJobs:Timers:LockPeriod", "00:02:00")]
    [InlineData("FunctionsJobs:Timers:LockPeriod", "soon")]
    public void A_bad_host_id_or_lock_period_is_refused_naming_its_setting(string setting, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => TimerOptions.FromConfiguration(TestConfig.From((setting, value))));

        Assert.Equal(setting, error.Setting);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("2.5")]
    [InlineData("thirty")]
    public void A_retention_is_a_whole_number_of_days(string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => RetentionSettings.ReadDays(TestConfig.From(("RetentionJobRunsDays", value)), "RetentionJobRunsDays", 30));

        Assert.Equal("RetentionJobRunsDays", error.Setting);
        Assert.Equal(TimeSpan.FromDays(30), RetentionSettings.ReadDays(TestConfig.From(), "RetentionJobRunsDays", 30));
    }
}
