using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// What a caller is told when an order or an image reaches a terminal state, in the Standard
/// Webhooks payload shape: <c>{ id, type, timestamp, data: { id, status, reason, statusUrl }, correlationId }</c>.
/// </summary>
/// <param name="Id">The event id, also the <c>webhook-id</c>: the same on every try and every duplicate of this state change.</param>
/// <param name="Type"><c>order.completed</c>, <c>order.failed</c>, <c>order.rejected</c>, <c>image.done</c>, <c>image.failed</c>.</param>
/// <param name="Timestamp">When the state changed.</param>
public sealed record CallbackEvent(string Id, string Type, DateTimeOffset Timestamp, CallbackEventData Data, string? CorrelationId)
{
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, JobJson.Options);

    /// <summary>
    /// The event of a resource reaching a state: the id is derived from the resource and its
    /// version, so every delivery that staged the same change stages the same id.
    /// </summary>
    /// <param name="kind"><c>order</c> or <c>image</c>.</param>
    /// <param name="version">What makes this state change one: the order's terminal status; the image's content and status.</param>
    public static CallbackEvent Of(string kind, string resourceId, string version, string status, string? reason, string statusPath, CallbackTarget target, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new CallbackEvent(
            IdOf(kind, resourceId, version),
            $"{kind}.{status.ToLowerInvariant()}",
            at,
            new CallbackEventData(resourceId, status, reason, target.BaseUrl.TrimEnd('/') + statusPath),
            target.CorrelationId);
    }

    /// <summary><c>evt_</c> and 32 hex digits: no '.', which the signed content uses as its separator.</summary>
    public static string IdOf(string kind, string resourceId, string version) =>
        "evt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{resourceId}\n{version}")).AsSpan(0, 16));
}

/// <param name="StatusUrl">The status route of the resource, absolute, as the caller reached this app.</param>
public sealed record CallbackEventData(string Id, string Status, string? Reason, string StatusUrl);
