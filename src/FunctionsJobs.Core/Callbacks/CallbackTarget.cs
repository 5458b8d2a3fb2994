namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Where the caller wants to hear of a terminal state: an https URL (signed POST) or a storage
/// queue of this account, with the caller's correlation id. Stored with the order or image it was
/// given for, so whatever process finishes the work knows it.
/// </summary>
/// <param name="Url">The callback URL, checked at intake (<see cref="CallbackRequests"/>).</param>
/// <param name="ReplyTo">A reply queue of this storage account, named with <see cref="CallbackSettings.ReplyQueuePrefix"/>.</param>
/// <param name="CorrelationId">The caller's id, echoed in the event.</param>
/// <param name="BaseUrl">Scheme, host and path base of the request that named the target: the event's status link starts so.</param>
public sealed record CallbackTarget(string? Url, string? ReplyTo, string? CorrelationId, string BaseUrl)
{
    /// <summary>For logs and the dead letters: a URL without its query, which may hold a caller's token.</summary>
    public string Describe() => Url is null
        ? $"reply queue {ReplyTo}"
        : Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? $"callback {uri.GetLeftPart(UriPartial.Path)}" : "callback (invalid URL)";
}
