using FunctionsJobs.Core.Retention;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.Host.Retention;

/// <summary>On the Host, the poison queues the retention clean-up tends are those of its own queue functions.</summary>
internal sealed class HostPoisonQueueCatalog(IEnumerable<QueueFunction> functions) : IPoisonQueueCatalog
{
    public Task<IReadOnlyList<string>> ListPoisonQueuesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. functions.Select(f => f.PoisonQueueName).Distinct(StringComparer.Ordinal)]);
}
