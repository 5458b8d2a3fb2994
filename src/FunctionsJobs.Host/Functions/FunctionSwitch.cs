using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.Host.Functions;

/// <summary>
/// The Functions host's switch for one function, <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> = true,
/// read by the Host as well. Environment variables cannot always carry dots (some container
/// platforms refuse them), so <c>AzureWebJobs__&lt;FunctionName&gt;__Disabled</c> works too.
/// </summary>
internal static class FunctionSwitch
{
    public static bool IsDisabled(IConfiguration configuration, string functionName)
    {
        foreach (var name in new[] { $"AzureWebJobs.{functionName}.Disabled", $"AzureWebJobs:{functionName}:Disabled" })
        {
            if (configuration[name] is { } value)
            {
                return SettingValue.Flag(value, name, fallback: false);
            }
        }

        return false;
    }
}
