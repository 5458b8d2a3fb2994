using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Telemetry;

namespace FunctionsJobs.Core.Orders;

/// <summary>The orders storage queue, base64 JSON as the Functions queue extension writes; storage queues have no message-id deduplication.</summary>
public sealed class StorageQueueOrderDispatcher(OrdersStorage storage, IQueueSendObserver sent) : IOrderDispatcher
{
    public async Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var send = FunctionsJobsTelemetry.StartSend(storage.Queue.Name);
        var traced = message with { TraceParent = FunctionsJobsTelemetry.CurrentTraceParent() ?? message.TraceParent };
        await storage.RunAsync(() => storage.Queue.SendMessageAsync(JsonSerializer.Serialize(traced, JobJson.Options), cancellationToken), cancellationToken).ConfigureAwait(false);
        sent.Sent(storage.Queue.Name);
    }

    /// <summary>The head of the queue by a peek: visible messages only; one being delivered is hidden and not seen.</summary>
    public Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken cancellationToken) =>
        storage.RunAsync(
            async () => (await storage.Queue.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false)).Value.FirstOrDefault()?.InsertedOn,
            cancellationToken);
}
