using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host;

namespace FunctionsJobs.UnitTests.Configuration;

/// <summary>The Host-wide options: functionTimeout and its grace, the message lease, the drain timeout.</summary>
public sealed class HostRuntimeOptionsTests
{
    [Fact]
    public void Empty_configuration_gives_the_defaults()
    {
        var options = HostRuntimeOptions.FromConfiguration(TestConfig.From());

        Assert.Equal(TimeSpan.FromMinutes(10), options.MessageLease);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.FunctionTimeoutGrace);
        Assert.Equal(new HostRuntimeOptions(), options);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var options = HostRuntimeOptions.FromConfiguration(TestConfig.From(
            ("FunctionsJobs:QueueMessageLease", "00:05:00"),
            ("FunctionsJobs:DrainTimeout", "00:00:05"),
            ("FunctionsJobs:FunctionTimeoutGrace", "00:00:07")));

        Assert.Equal(TimeSpan.FromMinutes(5), options.MessageLease);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), options.FunctionTimeoutGrace);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("-1", null)]
    [InlineData("00:10:00", "00:10:00")]
    [InlineData("01:30:00", "01:30:00")]
    public void FunctionTimeout_is_read_from_the_host_json_root_and_minus_one_means_none(string? value, string? expected)
    {
        var configuration = value is null ? TestConfig.From() : TestConfig.From(("AzureFunctionsJobHost:functionTimeout", value));

        Assert.Equal(expected is null ? null : TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), HostRuntimeOptions.FromConfiguration(configuration).FunctionTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00:00:00")]
    [InlineData("ten minutes")]
    public void A_bad_functionTimeout_fails_naming_it(string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => HostRuntimeOptions.FromConfiguration(TestConfig.From(("AzureFunctionsJobHost:functionTimeout", value))));

        Assert.Equal("host.json functionTimeout", error.Setting);
    }

    [Theory]
    [InlineData("FunctionsJobs:QueueMessageLease", "00:00:01")]
    [InlineData("FunctionsJobs:QueueMessageLease", "ten minutes")]
    [InlineData("FunctionsJobs:DrainTimeout", "-00:00:01")]
    [InlineData("FunctionsJobs:DrainTimeout", "later")]
    [InlineData("FunctionsJobs:FunctionTimeoutGrace", "-00:00:01")]
    [InlineData("FunctionsJobs:FunctionTimeoutGrace", "half a minute")]
    public void Invalid_host_setting_names_the_setting(string setting, string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => HostRuntimeOptions.FromConfiguration(TestConfig.From((setting, value))));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lease_of_two_seconds_and_drain_of_zero_are_accepted()
    {
        var options = HostRuntimeOptions.FromConfiguration(TestConfig.From(
            ("FunctionsJobs:QueueMessageLease", "00:00:02"),
            ("FunctionsJobs:DrainTimeout", "00:00:00")));

        Assert.Equal(TimeSpan.FromSeconds(2), options.MessageLease);
        Assert.Equal(TimeSpan.Zero, options.DrainTimeout);
    }
}
