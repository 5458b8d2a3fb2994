using Azure.Identity;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Telemetry;

namespace FunctionsJobs.UnitTests.Telemetry;

/// <summary>APPLICATIONINSIGHTS_AUTHENTICATION_STRING as Azure sets it for the app, read for the Azure Monitor exporter.</summary>
public sealed class HostTelemetryTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_the_setting_the_connection_strings_key_is_used(string? value) =>
        Assert.Null(HostTelemetry.EntraCredential(value));

    [Theory]
    [InlineData("Authorization=AAD")]
    [InlineData("Authorization=AAD;ClientId=00000000-0000-0000-0000-000000000001")]
    [InlineData(" authorization = aad ; clientid = 00000000-0000-0000-0000-000000000001 ")]
    public void Authorization_AAD_means_a_managed_identity(string value) =>
        Assert.IsType<ManagedIdentityCredential>(HostTelemetry.EntraCredential(value));

    [Theory]
    [InlineData("Authorization=Key")]
    [InlineData("ClientId=00000000-0000-0000-0000-000000000001")]
    [InlineData("Authorization=AAD;Secret=x")]
    public void Anything_else_stops_start_up_naming_the_setting(string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => HostTelemetry.EntraCredential(value));
        Assert.Contains(HostTelemetry.AzureMonitorAuthenticationSetting, error.Message, StringComparison.Ordinal);
    }
}
