namespace FunctionsJobs.Core.Telemetry;

/// <summary>
/// A message that carries the W3C trace context of its sender as a <c>traceparent</c> field of its
/// JSON, which both runtimes read: the Host's queue listener and the Functions app's queue functions
/// alike start the delivery's span under it (<see cref="QueueFunctionMetrics.HandleAsync{TMessage}"/>).
/// </summary>
public interface ITracedMessage
{
    /// <summary><c>00-{trace id}-{span id}-{flags}</c>, or null when the sender was not traced.</summary>
    string? TraceParent { get; }
}
