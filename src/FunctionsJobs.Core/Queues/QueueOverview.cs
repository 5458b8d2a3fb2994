using Azure;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Queues;

/// <summary>One queue as sampled: approximate depth and the age of its oldest visible message.</summary>
public sealed record QueueState(string Name, int ApproximateMessageCount, TimeSpan? OldestMessageAge);

/// <summary>A queue beside its poison queue, as the dashboard lists them.</summary>
public sealed record QueueRow(string Name, int ApproximateMessageCount, TimeSpan? OldestMessageAge, string PoisonQueue, int PoisonMessageCount, TimeSpan? OldestPoisonAge);

/// <summary>
/// Every queue of the account with its depth and oldest message: one listing, then one properties
/// read and one peek per queue, all at once. What the dashboard shows and the depth gauges report.
/// </summary>
public sealed class QueueOverview(StorageAccount storage, TimeProvider time)
{
    public async Task<IReadOnlyList<QueueState>> SampleAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var queue in storage.RawQueues.GetQueuesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            names.Add(queue.Name);
        }

        var states = await Task.WhenAll(names.Select(name => ReadAsync(name, cancellationToken))).ConfigureAwait(false);
        return [.. states.OfType<QueueState>()];
    }

    /// <summary>Pairs each queue with its poison queue; a poison queue whose queue is gone is listed as a queue of its own.</summary>
    public static IReadOnlyList<QueueRow> Pair(IReadOnlyList<QueueState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        var byName = states.ToDictionary(s => s.Name, StringComparer.Ordinal);
        return
        [
            .. states
                .Where(s => !s.Name.EndsWith(PoisonQueueNaming.Suffix, StringComparison.Ordinal) || !byName.ContainsKey(s.Name[..^PoisonQueueNaming.Suffix.Length]))
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .Select(s =>
                {
                    var poisonName = s.Name + PoisonQueueNaming.Suffix;
                    var poison = byName.GetValueOrDefault(poisonName);
                    return new QueueRow(s.Name, s.ApproximateMessageCount, s.OldestMessageAge, poisonName, poison?.ApproximateMessageCount ?? 0, poison?.OldestMessageAge);
                }),
        ];
    }

    private async Task<QueueState?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var queue = storage.RawQueues.GetQueueClient(name);
        try
        {
            var properties = queue.GetPropertiesAsync(cancellationToken);
            var peeked = queue.PeekMessagesAsync(1, cancellationToken);
            await Task.WhenAll(properties, peeked).ConfigureAwait(false);
            var count = properties.Result.Value.ApproximateMessagesCount;
            var oldest = peeked.Result.Value is [{ InsertedOn: { } inserted }] ? time.GetUtcNow() - inserted : (TimeSpan?)null;
            return new QueueState(name, count, oldest is { } age && age < TimeSpan.Zero ? TimeSpan.Zero : oldest);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Deleted between the listing and the read.
            return null;
        }
    }
}
