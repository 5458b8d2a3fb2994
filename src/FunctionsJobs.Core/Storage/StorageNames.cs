namespace FunctionsJobs.Core.Storage;

/// <summary>The naming rules of storage queues and tables, for names that come from settings or from callers.</summary>
public static class StorageNames
{
    /// <summary>
    /// Azure queue naming rules (3-63 characters), with room left for the <c>-poison</c> suffix so
    /// the poison queue of any valid name is itself valid.
    /// </summary>
    public static bool IsQueueName(string name, int maxLength = 56) =>
        name.Length >= 3 && name.Length <= maxLength
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("--", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public static bool IsTableName(string name) =>
        name.Length is >= 3 and <= 63 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
