using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>The callbacks of orders: one event per order, when it becomes Completed, Rejected or Failed.</summary>
public sealed class OrderCallbacks(CallbackOutbox outbox, TimeProvider time)
{
    public const string Kind = "order";

    /// <summary>An order becomes terminal once, so its terminal status names the change.</summary>
    public static string VersionOf(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Status.ToString();
    }

    /// <summary>Stages the event of <paramref name="order"/>, whose terminal status is set but not yet stored; null without a target.</summary>
    public Task<StagedCallback?> StageAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Callback is not { } target)
        {
            return Task.FromResult<StagedCallback?>(null);
        }

        var version = VersionOf(order);
        var callbackEvent = CallbackEvent.Of(Kind, order.Id, version, version, order.Reason, $"/api/orders/{order.Id}", target, time.GetUtcNow());
        return outbox.StageAsync(target, new CallbackResource(Kind, order.Id, version), callbackEvent, cancellationToken);
    }

    public Task ReleaseAsync(StagedCallback? staged) => outbox.ReleaseAsync(staged);
}
