namespace FunctionsJobs.Core.Orders;

/// <summary>The one message per order: it only names the order, whose record says what to do next.</summary>
public sealed record OrderMessage(string OrderId);

/// <summary>The message names no order this app can process: retrying will not help, so it ends in poison with this reason.</summary>
public sealed class InvalidOrderMessageException(string message) : Exception(message);
