using System.Collections.Concurrent;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// Wakes the listeners of a queue when this process has sent it a message that is visible at once
/// (an order placed, an image event, a supervisor's re-dispatch, a poison replay), so they receive it
/// now instead of after their polling backoff: the WebJobs SDK's shared queue watcher. Hidden messages
/// wake nobody (they could not be received yet), and other instances' messages are found by polling.
/// </summary>
internal sealed class QueueWakeups : IQueueSendObserver
{
    private readonly ConcurrentDictionary<string, Action[]> _listeners = new(StringComparer.Ordinal);

    public void Register(string queueName, Action wake) =>
        _listeners.AddOrUpdate(queueName, static (_, wake) => [wake], static (_, known, wake) => [.. known, wake], wake);

    public void Sent(string queueName, TimeSpan? hiddenFor = null)
    {
        if (hiddenFor > TimeSpan.Zero || !_listeners.TryGetValue(queueName, out var listeners))
        {
            return;
        }

        foreach (var wake in listeners)
        {
            wake();
        }
    }
}
