using Azure;

namespace FunctionsJobs.Host.Queues;

/// <summary>What a refused call on a received message means, by kind, as the WebJobs queue processor reads them.</summary>
internal static class QueueErrors
{
    /// <summary>The message was received again by someone else: its pop receipt changed (400 PopReceiptMismatch).</summary>
    public static bool IsTaken(RequestFailedException exception) =>
        exception.Status == 400 && exception.ErrorCode == "PopReceiptMismatch";

    /// <summary>The message (or its queue) no longer exists (404 MessageNotFound, QueueNotFound).</summary>
    public static bool IsGone(RequestFailedException exception) => exception.Status == 404;

    public static bool IsTakenOrGone(RequestFailedException exception) => IsTaken(exception) || IsGone(exception);
}
