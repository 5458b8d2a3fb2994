namespace FunctionsJobs.Core.Queues;

/// <summary>What a queue-triggered handler knows about the delivery it is handling.</summary>
/// <param name="QueueName">The queue the message came from.</param>
/// <param name="MessageId">The storage message id: stable across redeliveries of the same message.</param>
/// <param name="DequeueCount">1 on the first delivery; a handler sees more than 1 after a failure or a crash.</param>
/// <param name="InsertedOn">When the message was enqueued.</param>
public sealed record QueueMessageContext(string QueueName, string MessageId, long DequeueCount, DateTimeOffset? InsertedOn);
