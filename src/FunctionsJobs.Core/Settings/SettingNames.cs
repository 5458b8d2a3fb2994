namespace FunctionsJobs.Core.Settings;

/// <summary>
/// Names of the settings both runtimes read, kept in one place. Functions attributes refer to
/// them as <c>%Name%</c>; the Host reads them from configuration with <see cref="SettingDefaults"/>.
/// </summary>
public static class SettingNames
{
    /// <summary>The storage account: a connection string or the identity-based <c>AzureWebJobsStorage__*</c> form.</summary>
    public const string Storage = "AzureWebJobsStorage";
}
