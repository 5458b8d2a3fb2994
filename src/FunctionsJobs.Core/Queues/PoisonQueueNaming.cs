namespace FunctionsJobs.Core.Queues;

/// <summary>
/// How poison queues and their recorded reasons are named, as the Functions queue trigger names
/// them: <c>&lt;queue&gt;-poison</c>. The Host writes them; the retention clean-up removes old ones.
/// </summary>
public static class PoisonQueueNaming
{
    public const string Suffix = "-poison";

    /// <summary>The table recording why each poison message was poisoned (partition = poison queue, row = message id).</summary>
    public const string ReasonsTableSetting = "PoisonReasonsTableName";
    public const string DefaultReasonsTable = "PoisonReasons";
}
