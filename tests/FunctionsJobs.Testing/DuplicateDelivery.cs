using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Testing;

/// <summary>
/// At-least-once delivery made certain: every message handed to a handler twice, one after the
/// other or racing, as a redelivery or a second consumer would. Handler tests assert that the
/// second delivery changed nothing.
/// </summary>
public static class DuplicateDelivery
{
    /// <summary>Delivers, then delivers again as the redelivery of the same message (dequeue count + 1).</summary>
    public static async Task DeliverTwiceAsync<TMessage>(IQueueHandler<TMessage> handler, TMessage message, QueueMessageContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        context ??= NewContext();
        await handler.HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
        await handler.HandleAsync(message, context with { DequeueCount = context.DequeueCount + 1 }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers the same message to two concurrent calls, as two consumers racing would see it.</summary>
    public static async Task DeliverRacingAsync<TMessage>(IQueueHandler<TMessage> first, IQueueHandler<TMessage> second, TMessage message, QueueMessageContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        context ??= NewContext();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Task.Run(async () => { await start.Task.ConfigureAwait(false); await first.HandleAsync(message, context, cancellationToken).ConfigureAwait(false); }, cancellationToken);
        var b = Task.Run(async () => { await start.Task.ConfigureAwait(false); await second.HandleAsync(message, context, cancellationToken).ConfigureAwait(false); }, cancellationToken);
        start.SetResult();
        await Task.WhenAll(a, b).ConfigureAwait(false);
    }

    public static QueueMessageContext NewContext(string queueName = "test-queue") =>
        new(queueName, Guid.NewGuid().ToString(), 1, DateTimeOffset.UtcNow);
}

/// <summary>
/// Wraps a handler so that every message the Host delivers reaches it twice: register it in place
/// of the handler to run a whole queue-driven flow under duplicate delivery.
/// </summary>
public sealed class DeliverEveryMessageTwice<TMessage>(IQueueHandler<TMessage> inner) : IQueueHandler<TMessage>
{
    public async Task HandleAsync(TMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        await inner.HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
        await inner.HandleAsync(message, context with { DequeueCount = context.DequeueCount + 1 }, cancellationToken).ConfigureAwait(false);
    }
}
