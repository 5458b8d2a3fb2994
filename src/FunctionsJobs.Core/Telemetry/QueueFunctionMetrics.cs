using System.Diagnostics;
using System.Diagnostics.Metrics;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Core.Telemetry;

/// <summary>What became of one delivery of a queue message.</summary>
public enum QueueOutcome
{
    /// <summary>The handler returned: the message is deleted.</summary>
    Handled,

    /// <summary>The handler threw: the message comes back after <c>visibilityTimeout</c>.</summary>
    Failed,

    /// <summary>Moved to <c>&lt;queue&gt;-poison</c> (its last delivery failed, or it could not be decoded).</summary>
    Poisoned,

    /// <summary>Shutdown or <c>functionTimeout</c> cancelled the handler.</summary>
    Cancelled,
}

/// <summary>
/// The queue functions' instruments: messages by outcome and handler duration, per function. Both
/// runtimes run their handlers through <see cref="HandleAsync{TMessage}"/>, which also starts the
/// delivery's span; the Host's listener adds <see cref="Poisoned"/> when it moves a message to poison
/// (in Azure Functions the Functions host does that, and counts it in its own telemetry).
/// </summary>
public sealed class QueueFunctionMetrics
{
    public const string MessagesInstrument = "functionsjobs.queue.messages";
    public const string DurationInstrument = "functionsjobs.queue.handler.duration";

    private readonly Counter<long> _messages;
    private readonly Histogram<double> _duration;

    /// <param name="throughput">
    /// Taken only so that the dashboard's in-process reader of these instruments listens before the
    /// first message is counted: a <see cref="MeterListener"/> sees measurements made after it starts.
    /// </param>
    public QueueFunctionMetrics(IMeterFactory meters, QueueThroughput throughput)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(throughput);
        var meter = meters.Create(FunctionsJobsTelemetry.Name);
        _messages = meter.CreateCounter<long>(MessagesInstrument, "{message}", "Queue messages settled, by function and outcome (handled, failed, poisoned, cancelled).");
        _duration = meter.CreateHistogram<double>(
            DurationInstrument, "s", "How long a queue function's handler ran, by function and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    /// <summary>Runs the handler of one delivery under its span, and counts and times it.</summary>
    public async Task HandleAsync<TMessage>(string functionName, IQueueHandler<TMessage> handler, TMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(context);
        using var activity = FunctionsJobsTelemetry.StartProcess(functionName, context.QueueName, context.MessageId, context.DequeueCount, (message as ITracedMessage)?.TraceParent);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await handler.HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FunctionsJobsTelemetry.Fail(activity, ex);
            Record(functionName, context.QueueName, ex is OperationCanceledException && cancellationToken.IsCancellationRequested ? QueueOutcome.Cancelled : QueueOutcome.Failed, started);
            throw;
        }

        Record(functionName, context.QueueName, QueueOutcome.Handled, started);
    }

    /// <summary>A message moved to its poison queue.</summary>
    public void Poisoned(string functionName, string queueName) =>
        _messages.Add(1, Tags(functionName, queueName, QueueOutcome.Poisoned));

    private void Record(string functionName, string queueName, QueueOutcome outcome, long started)
    {
        var tags = Tags(functionName, queueName, outcome);
        _messages.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    private static TagList Tags(string functionName, string queueName, QueueOutcome outcome) => new()
    {
        { "function", functionName },
        { "queue", queueName },
        { "outcome", OutcomeTag(outcome) },
    };

    public static string OutcomeTag(QueueOutcome outcome) => outcome switch
    {
        QueueOutcome.Handled => "handled",
        QueueOutcome.Failed => "failed",
        QueueOutcome.Poisoned => "poisoned",
        _ => "cancelled",
    };
}
