using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// A pipeline policy on every storage client (baseline and Host alike, so both pay the same) that
/// counts the requests to each watched queue and its successful message deletes. Counting at the
/// client is how the benchmark sees what the listener asks of storage without touching the runtime.
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, QueueTraffic> _queues = new(StringComparer.Ordinal);

    /// <param name="expectedDeletes">When this many deletes have succeeded, <see cref="QueueTraffic.AllDeleted"/> completes.</param>
    public QueueTraffic Watch(string queueName, long expectedDeletes = long.MaxValue) =>
        _queues.GetOrAdd(queueName, _ => new QueueTraffic(expectedDeletes));

    public override void OnReceivedResponse(HttpMessage message)
    {
        // Azurite uses path-style addresses: /{account}/{queue}[/messages[/{messageId}]].
        var segments = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 2 || !_queues.TryGetValue(segments[1], out var traffic))
        {
            return;
        }

        var deleted = segments.Length == 4 && message.Request.Method == RequestMethod.Delete && message.Response.Status == 204;
        traffic.Record(deleted);
    }
}

internal sealed class QueueTraffic(long expectedDeletes)
{
    private readonly TaskCompletionSource<Mark> _allDeleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _requests;
    private long _deletes;

    public long Requests => Interlocked.Read(ref _requests);

    public long Deletes => Interlocked.Read(ref _deletes);

    /// <summary>The requests counted when the last expected delete answered.</summary>
    public long RequestsAtAllDeleted { get; private set; }

    /// <summary>Completes with the moment the response to the last expected delete arrived.</summary>
    public Task<Mark> AllDeleted => _allDeleted.Task;

    internal void Record(bool deleted)
    {
        var requests = Interlocked.Increment(ref _requests);
        if (deleted && Interlocked.Increment(ref _deletes) == expectedDeletes)
        {
            RequestsAtAllDeleted = requests;
            _allDeleted.TrySetResult(Mark.Now());
        }
    }
}
