using Azure.Storage.Queues.Models;

namespace FunctionsJobs.Host.Queues;

/// <summary>What the invocations log, settlements included (by outcome: the settlement itself logs nothing).</summary>
internal sealed partial class MessageInvocations<TMessage>
{
    /// <param name="reason">Why it was poisoned, for a move.</param>
    private void Log(QueueMessage message, Settlement settled, string? reason = null)
    {
        switch (settled.Outcome)
        {
            case SettleOutcome.MovedToPoison:
                LogMovedToPoison(message.MessageId, _function.QueueName, settled.Copy!.PoisonQueueName, settled.Copy.Receipt.MessageId, message.DequeueCount, reason);
                break;
            case SettleOutcome.AlreadyGone:
                LogAlreadyGone(_function.QueueName, message.MessageId);
                break;
            case SettleOutcome.TakenByAnother:
                LogTakenByAnother(_function.QueueName, message.MessageId);
                break;
            case SettleOutcome.Failed:
                LogSettleFailed(settled.Error!, _function.QueueName, message.MessageId);
                break;
            case SettleOutcome.CopyTakenBack:
                LogPoisonCopyTakenBack(settled.Error, _function.QueueName, message.MessageId, settled.Copy!.PoisonQueueName);
                break;
            case SettleOutcome.PoisonCopyStays:
                LogPoisonCopyStays(settled.Error!, _function.QueueName, message.MessageId, settled.Copy!.PoisonQueueName, settled.Copy.Receipt.MessageId);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName}: message {MessageId} of queue {QueueName} cannot be decoded: {Reason}")]
    private partial void LogUndecodable(string functionName, string queueName, string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName} failed on message {MessageId} of queue {QueueName}, delivery {DequeueCount} of {MaxDequeueCount}")]
    private partial void LogHandlerFailed(Exception exception, string functionName, string queueName, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moved message {MessageId} of queue {QueueName} to {PoisonQueueName} as {PoisonMessageId} after {DequeueCount} deliveries: {Reason}")]
    private partial void LogMovedToPoison(string messageId, string queueName, string poisonQueueName, string poisonMessageId, long dequeueCount, string? reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {QueueName}: message {MessageId} was already gone when it was settled")]
    private partial void LogAlreadyGone(string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: message {MessageId} was received again elsewhere after its lease ran out, before it was settled here; it is handled there again")]
    private partial void LogTakenByAnother(string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not settle message {MessageId}; it becomes visible again when its lease ends")]
    private partial void LogSettleFailed(Exception exception, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not delete message {MessageId} after copying it to {PoisonQueueName}; the copy was taken back and the message is moved when it comes back")]
    private partial void LogPoisonCopyTakenBack(Exception? exception, string queueName, string messageId, string poisonQueueName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {QueueName}: could neither delete message {MessageId} nor take back its copy {PoisonMessageId} in {PoisonQueueName}; poison may get a second copy")]
    private partial void LogPoisonCopyStays(Exception exception, string queueName, string messageId, string poisonQueueName, string poisonMessageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {QueueName}: draining {Count} in-flight messages for up to {DrainTimeout}")]
    private partial void LogDraining(string queueName, int count, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: drain timed out; cancelling {Count} handlers")]
    private partial void LogAborting(string queueName, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: message {MessageId} released for redelivery on shutdown")]
    private partial void LogReleasedOnShutdown(string functionName, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName}: handler of message {MessageId} of queue {QueueName} abandoned still running ({Cause}; it ignored its cancellation for {Grace}); its slot is free and its lease no longer renewed")]
    private partial void LogAbandoned(string functionName, string queueName, string messageId, string cause, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName}: the abandoned handler of message {MessageId} ended after all ({Result}); the message is left to its lease")]
    private partial void LogEndedAfterAbandoned(string functionName, string messageId, string result);
}
