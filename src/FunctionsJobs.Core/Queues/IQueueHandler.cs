namespace FunctionsJobs.Core.Queues;

/// <summary>
/// Handles one queue message. Both runtimes call it: a Functions <c>QueueTrigger</c> method and the
/// Host's queue listener. Returning completes the message; throwing makes it visible again for a
/// retry, and after <c>maxDequeueCount</c> deliveries it goes to the poison queue. Implementations
/// must be idempotent: at-least-once delivery means the same message can arrive twice.
/// </summary>
/// <typeparam name="TMessage"><see cref="string"/> for the raw text, <see cref="BinaryData"/> for bytes, otherwise a JSON contract.</typeparam>
public interface IQueueHandler<in TMessage>
{
    Task HandleAsync(TMessage message, QueueMessageContext context, CancellationToken cancellationToken);
}
