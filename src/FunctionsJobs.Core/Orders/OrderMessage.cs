using System.Text.Json.Serialization;
using FunctionsJobs.Core.Telemetry;

namespace FunctionsJobs.Core.Orders;

/// <summary>The one message per order: it only names the order, whose record says what to do next.</summary>
public sealed record OrderMessage(string OrderId) : ITracedMessage
{
    /// <summary>The trace of the request (or supervisor run) that sent it; the workflow's spans continue it.</summary>
    [JsonPropertyName("traceparent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceParent { get; init; }
}

/// <summary>The message names no order this app can process: retrying will not help, so it ends in poison with this reason.</summary>
public sealed class InvalidOrderMessageException(string message) : Exception(message);
