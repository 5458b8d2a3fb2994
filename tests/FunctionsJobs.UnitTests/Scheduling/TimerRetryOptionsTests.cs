using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Scheduling;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.UnitTests.Scheduling;

public sealed class TimerRetryOptionsTests
{
    [Fact]
    public void No_retry_section_means_no_retries()
    {
        var options = Read([]);

        Assert.Equal(RetryStrategy.None, options.Strategy);
        Assert.Equal(0, options.MaxRetryCount);
    }

    [Fact]
    public void Fixed_delay_waits_the_same_before_every_retry()
    {
        var options = Read(new() { ["strategy"] = "fixedDelay", ["maxRetryCount"] = "3", ["delayInterval"] = "00:00:05" });

        Assert.Equal((RetryStrategy.FixedDelay, 3), (options.Strategy, options.MaxRetryCount));
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], [options.DelayBefore(1), options.DelayBefore(2), options.DelayBefore(3)]);
    }

    [Fact]
    public void Exponential_backoff_doubles_from_the_minimum_up_to_the_maximum()
    {
        var options = Read(new() { ["strategy"] = "exponentialBackoff", ["maxRetryCount"] = "5", ["minimumInterval"] = "00:00:10", ["maximumInterval"] = "00:00:45" });

        Assert.Equal(
            [10, 20, 40, 45, 45],
            Enumerable.Range(1, 5).Select(retry => options.DelayBefore(retry).TotalSeconds));
    }

    [Theory]
    [InlineData("linear", "2", "00:00:05", null, null, "AzureFunctionsJobHost:retry:strategy")]
    [InlineData("fixedDelay", "-1", "00:00:05", null, null, "AzureFunctionsJobHost:retry:maxRetryCount")]
    [InlineData("fixedDelay", "many", "00:00:05", null, null, "AzureFunctionsJobHost:retry:maxRetryCount")]
    [InlineData("fixedDelay", null, "00:00:05", null, null, "AzureFunctionsJobHost:retry:maxRetryCount")]
    [InlineData("fixedDelay", "2", "soon", null, null, "AzureFunctionsJobHost:retry:delayInterval")]
    [InlineData("exponentialBackoff", "2", null, "00:01:00", "00:00:10", "AzureFunctionsJobHost:retry:maximumInterval")]
    [InlineData("exponentialBackoff", "2", null, null, "00:00:10", "AzureFunctionsJobHost:retry:minimumInterval")]
    public void A_bad_retry_section_fails_naming_the_setting(string strategy, string? maxRetryCount, string? delay, string? minimum, string? maximum, string setting)
    {
        var values = new Dictionary<string, string?> { ["strategy"] = strategy, ["maxRetryCount"] = maxRetryCount, ["delayInterval"] = delay, ["minimumInterval"] = minimum, ["maximumInterval"] = maximum };

        var error = Assert.Throws<InvalidSettingException>(() => Read(values));

        Assert.Equal(setting, error.Setting);
    }

    private static TimerRetryOptions Read(Dictionary<string, string?> retry) =>
        TimerRetryOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(retry.Where(kv => kv.Value is not null).ToDictionary(kv => $"AzureFunctionsJobHost:retry:{kv.Key}", kv => kv.Value))
            .Build());
}
