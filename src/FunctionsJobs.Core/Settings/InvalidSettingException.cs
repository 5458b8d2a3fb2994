namespace FunctionsJobs.Core.Settings;

/// <summary>
/// A setting is missing or malformed. The message is one line that names the setting, so a
/// start-up failure tells the operator exactly what to fix.
/// </summary>
public sealed class InvalidSettingException(string setting, string problem, Exception? inner = null)
    : Exception($"setting '{setting}' {problem}", inner)
{
    public string Setting { get; } = setting;
}
