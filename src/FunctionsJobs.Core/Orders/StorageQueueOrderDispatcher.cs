using System.Text.Json;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Core.Orders;

/// <summary>The orders storage queue, base64 JSON as the Functions queue extension writes; storage queues have no message-id deduplication.</summary>
public sealed class StorageQueueOrderDispatcher(OrdersStorage storage, IQueueSendObserver sent) : IOrderDispatcher
{
    public async Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken)
    {
        await storage.RunAsync(() => storage.Queue.SendMessageAsync(JsonSerializer.Serialize(message, JobJson.Options), cancellationToken), cancellationToken).ConfigureAwait(false);
        sent.Sent(storage.Queue.Name);
    }
}
