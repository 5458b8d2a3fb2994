using System.Text.Json;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Core.Orders;

/// <summary>The orders storage queue, base64 JSON as the Functions queue extension writes; storage queues have no message-id deduplication.</summary>
public sealed class StorageQueueOrderDispatcher(OrdersStorage storage) : IOrderDispatcher
{
    public Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken) =>
        storage.RunAsync(() => storage.Queue.SendMessageAsync(JsonSerializer.Serialize(message, JobJson.Options), cancellationToken), cancellationToken);

    /// <summary>The head of the queue by a peek: visible messages only; one being delivered is hidden and not seen.</summary>
    public Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken cancellationToken) =>
        storage.RunAsync(
            async () => (await storage.Queue.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false)).Value.FirstOrDefault()?.InsertedOn,
            cancellationToken);
}
