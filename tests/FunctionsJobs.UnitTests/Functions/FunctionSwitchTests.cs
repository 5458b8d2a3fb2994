using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.UnitTests.Functions;

public sealed class FunctionSwitchTests
{
    [Theory]
    [InlineData("AzureWebJobs.ThumbnailBlobTrigger.Disabled", "true", true)]
    [InlineData("AzureWebJobs.ThumbnailBlobTrigger.Disabled", "False", false)]
    [InlineData("AzureWebJobs:ThumbnailBlobTrigger:Disabled", "true", true)]
    [InlineData("AzureWebJobs.OtherFunction.Disabled", "true", false)]
    public void The_Functions_switch_is_read_in_either_spelling(string key, string value, bool disabled) =>
        Assert.Equal(disabled, FunctionSwitch.IsDisabled(TestConfig.From((key, value)), "ThumbnailBlobTrigger"));

    [Fact]
    public void A_value_that_is_not_true_or_false_names_the_setting()
    {
        var error = Assert.Throws<InvalidSettingException>(() => FunctionSwitch.IsDisabled(TestConfig.From(("AzureWebJobs.ThumbnailBlobTrigger.Disabled", "yes")), "ThumbnailBlobTrigger"));

        Assert.Equal("AzureWebJobs.ThumbnailBlobTrigger.Disabled", error.Setting);
    }
}
