using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
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
    [InlineData("my-app", "site", null, null, "my-app")]
    [InlineData(null, "TEST-FUNCTIONS--", null, null, "test-functions")]
    [InlineData(null, "TEST-FUNCTIONS-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", null, null, "test-functions-xxxxxxxxxxxxxxxxx")]
    [InlineData(null, "TEST-FUNCTIONS-XXXXXXXXXXXXXXXX-XXXX", null, null, "test-functions-xxxxxxxxxxxxxxxx")]
    [InlineData(null, "Shop", "staging", null, "shop-staging")]
    [InlineData(null, "shop", "Production", null, "shop")]
    [InlineData(null, "shop", null, "orders-host", "shop")]
    [InlineData(null, null, null, "orders-host", "orders-host")]
    public void The_host_id_comes_from_its_setting_else_from_the_site_and_slot_or_the_container_app_as_Functions_derives_it(
        string? hostId, string? siteName, string? slotName, string? containerApp, string expected)
    {
        var options = TimerOptions.FromConfiguration(TestConfig.From(
            ("environment", "Production"), ("AzureFunctionsWebHost:hostid", hostId), ("WEBSITE_SITE_NAME", siteName), ("WEBSITE_SLOT_NAME", slotName), ("CONTAINER_APP_NAME", containerApp)));

        Assert.Equal(expected, options.HostId);
        Assert.Equal($"locks/{expected}/RetentionCleanup", options.LockBlobName("RetentionCleanup"));
        Assert.Equal($"timers/{expected}/RetentionCleanup/status", options.StatusBlobName("RetentionCleanup"));
    }

    [Fact]
    public void Two_slots_of_one_site_never_share_a_host_id()
    {
        static string HostIdOf(string slot) => TimerOptions.FromConfiguration(TestConfig.From(("WEBSITE_SITE_NAME", "shop"), ("WEBSITE_SLOT_NAME", slot))).HostId;

        Assert.NotEqual(HostIdOf("production"), HostIdOf("staging"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_a_host_without_a_name_of_its_own_is_refused_naming_the_host_id(string? environment)
    {
        var error = Assert.Throws<InvalidSettingException>(() => TimerOptions.FromConfiguration(TestConfig.From(("environment", environment))));

        Assert.Equal("AzureFunctionsWebHost:hostid", error.Setting);
        Assert.Contains("is not set", error.Message, StringComparison.Ordinal);
        Assert.Equal("functionsjobs", TimerOptions.FromConfiguration(TestConfig.From(("environment", "Development"))).HostId);
    }

    [Fact]
    public void A_site_name_that_makes_no_valid_host_id_is_refused_naming_the_host_id()
    {
        var error = Assert.Throws<InvalidSettingException>(() => TimerOptions.FromConfiguration(TestConfig.From(("WEBSITE_SITE_NAME", "Contoso_Orders.Prod"))));

        Assert.Equal("AzureFunctionsWebHost:hostid", error.Setting);
        Assert.Contains("WEBSITE_SITE_NAME", error.Message, StringComparison.Ordinal);
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
        var error = Assert.Throws<InvalidSettingException>(() => TimerOptions.FromConfiguration(TestConfig.From(("environment", "Development"), (setting, value))));

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
