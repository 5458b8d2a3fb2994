using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Retention;

/// <summary>The poison queues whose old messages the retention clean-up removes.</summary>
public interface IPoisonQueueCatalog
{
    Task<IReadOnlyList<string>> ListPoisonQueuesAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Every <c>*-poison</c> queue of the account: what a runtime uses when it cannot list its own queue
/// functions (the Functions worker). The Host replaces it with the poison queues of its queue functions.
/// </summary>
public sealed class AccountPoisonQueueCatalog(StorageAccount storage) : IPoisonQueueCatalog
{
    public async Task<IReadOnlyList<string>> ListPoisonQueuesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var queue in storage.RawQueues.GetQueuesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (queue.Name.EndsWith(PoisonQueueNaming.Suffix, StringComparison.Ordinal))
            {
                names.Add(queue.Name);
            }
        }

        return names;
    }
}
