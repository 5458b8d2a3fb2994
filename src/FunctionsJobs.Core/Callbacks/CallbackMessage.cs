namespace FunctionsJobs.Core.Callbacks;

/// <summary>Which resource an event is about, and which of its versions, so a delivery can check the change was stored.</summary>
/// <param name="Kind"><c>order</c> or <c>image</c>.</param>
public sealed record CallbackResource(string Kind, string Id, string Version);

/// <summary>
/// One event on its way, the message of the callbacks queue: the event itself (so every try sends
/// the same body), where to, the try it is, and until when to try.
/// </summary>
/// <param name="Committed">
/// False while the state change it reports is not known to be stored: the message was queued
/// (hidden) before the change was written, and the writer's process may have died in between. The
/// delivery then reads the resource first.
/// </param>
/// <param name="Attempt">1 for the first try; a failed try queues the next one, hidden for its backoff.</param>
/// <param name="Deadline">After this the event is dead-lettered instead of tried again.</param>
/// <param name="Waits">How often it was put back because its receiver had every slot busy; each wait is longer.</param>
public sealed record CallbackMessage(CallbackEvent Event, CallbackTarget Target, CallbackResource Resource, bool Committed, int Attempt, DateTimeOffset Deadline, int Waits = 0);
