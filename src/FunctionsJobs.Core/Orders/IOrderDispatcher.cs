namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Sends an order's message on the configured transport: the storage queue here, Service Bus in a
/// Functions app with <c>OrdersTransport</c> = ServiceBus. The starter (when it dispatches itself)
/// and the order supervisor both send through it, so a re-dispatched order takes the same path.
/// </summary>
public interface IOrderDispatcher
{
    /// <param name="messageId">
    /// Identifies this dispatch where the transport deduplicates by message id (Service Bus): sending
    /// the same dispatch twice delivers it once, two dispatches of one order are two messages.
    /// </param>
    Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken);

    /// <summary>
    /// When the oldest message still waiting in the orders queue was sent (its insertion or enqueue
    /// time), or null when none waits. The order supervisor reads it once per pass, so that an order
    /// waiting behind a long queue is not taken for a lost one.
    /// </summary>
    Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken cancellationToken);
}
