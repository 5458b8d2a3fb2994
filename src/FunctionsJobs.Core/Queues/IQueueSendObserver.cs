namespace FunctionsJobs.Core.Queues;

/// <summary>
/// Told by the job code that this process has just put a message on a queue. A runtime that listens
/// to that queue in the same process (the Host) uses it to look at once instead of waiting out its
/// polling backoff, as the WebJobs SDK's shared queue watcher does; messages sent by other processes
/// are still found by polling. Functions needs nothing of it: the default does nothing. A sender
/// calls it after the send succeeded.
/// </summary>
public interface IQueueSendObserver
{
    /// <param name="queueName">The queue the message went to.</param>
    /// <param name="hiddenFor">How long the message stays invisible after the send; null when it is visible at once.</param>
    void Sent(string queueName, TimeSpan? hiddenFor = null);
}

/// <summary>Nobody in this process listens to the queues it sends to (the Functions worker).</summary>
public sealed class NoQueueSendObserver : IQueueSendObserver
{
    public void Sent(string queueName, TimeSpan? hiddenFor = null)
    {
    }
}
