using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.UnitTests.Callbacks;

public sealed class CallbackSettingsTests
{
    [Fact]
    public void Defaults_are_24_hours_of_retries_from_5_seconds_doubling_to_an_hour_and_strict_addresses()
    {
        var settings = CallbackSettings.FromConfiguration(TestConfig.From());

        Assert.Equal(TimeSpan.FromHours(24), settings.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.FirstRetryDelay);
        Assert.Equal(TimeSpan.FromHours(1), settings.MaxRetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.Timeout);
        Assert.False(settings.AllowPrivateNetworks);
        Assert.Equal("callbacks", settings.QueueName);
    }

    [Fact]
    public void Retry_delays_double_from_the_first_within_jitter_up_to_the_cap()
    {
        var settings = CallbackSettings.FromConfiguration(TestConfig.From());

        Assert.Equal(TimeSpan.FromSeconds(5), settings.RetryDelay(1, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(10), settings.RetryDelay(2, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(40), settings.RetryDelay(4, 0.5));
        Assert.Equal(TimeSpan.FromHours(1), settings.RetryDelay(20, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(4), settings.RetryDelay(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(6), settings.RetryDelay(1, 1));
    }

    [Theory]
    [InlineData(CallbackSettings.MaxAgeSetting, "7.00:00:00")]
    [InlineData(CallbackSettings.MaxAgeSetting, "later")]
    [InlineData(CallbackSettings.MaxRetryDelaySetting, "00:00:01")]
    [InlineData(CallbackSettings.QueueNameSetting, "Callbacks")]
    [InlineData(CallbackSettings.ReplyQueuePrefixSetting, "-reply")]
    [InlineData(CallbackSettings.AllowPrivateNetworksSetting, "yes")]
    [InlineData(CallbackSettings.MaxConcurrentPerHostSetting, "0")]
    public void A_bad_value_names_its_setting(string setting, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => CallbackSettings.FromConfiguration(TestConfig.From((setting, value))));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
