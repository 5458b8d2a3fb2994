using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.Core.Callbacks;

public enum CommitState
{
    /// <summary>The resource is stored in the state the event reports.</summary>
    Committed,

    /// <summary>Not yet: the write may still come (the writer's work is retried).</summary>
    Pending,

    /// <summary>The resource reached another state, or is gone: the event reports something that did not happen.</summary>
    Void,
}

/// <summary>
/// Reads whether the state change an event reports was stored, for events whose writer died
/// between staging the event and storing the change (<see cref="CallbackMessage.Committed"/> false).
/// </summary>
public sealed class CallbackCommits(OrderStore orders, ThumbnailStatusStore images)
{
    public async Task<CommitState> CheckAsync(CallbackResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        switch (resource.Kind)
        {
            case OrderCallbacks.Kind:
                var order = await orders.GetAsync(resource.Id, cancellationToken).ConfigureAwait(false);
                return order is null ? CommitState.Void
                    : OrderCallbacks.VersionOf(order) == resource.Version ? CommitState.Committed
                    : order.IsTerminal ? CommitState.Void
                    : CommitState.Pending;
            case ImageCallbacks.Kind:
                var image = await images.GetAsync(resource.Id, cancellationToken).ConfigureAwait(false);
                return image is null ? CommitState.Void
                    : ImageCallbacks.VersionOf(image) == resource.Version ? CommitState.Committed
                    : image.Status is ImageStatus.Pending or ImageStatus.Processing && ImageCallbacks.IsSameContent(image, resource.Version) ? CommitState.Pending
                    : CommitState.Void;
            default:
                return CommitState.Void;
        }
    }
}
