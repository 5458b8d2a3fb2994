namespace FunctionsJobs.Host.Queues;

/// <summary>What the receive loop logs.</summary>
internal sealed partial class QueueListener<TMessage>
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName} listening on queue {QueueName} (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxPollingInterval {MaxPollingInterval})")]
    private partial void LogListening(string functionName, string queueName, int batchSize, int newBatchThreshold, TimeSpan maxPollingInterval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: storage request failed; retrying in {Delay}")]
    private partial void LogStorageFailure(Exception exception, string queueName, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {QueueName}: storage still failing ({ErrorType}); retrying in {Delay}")]
    private partial void LogStorageStillFailing(string queueName, string errorType, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {QueueName}: storage reachable again, listening resumed")]
    private partial void LogRecovered(string queueName);
}
