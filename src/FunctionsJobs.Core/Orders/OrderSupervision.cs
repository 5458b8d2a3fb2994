using System.Globalization;

namespace FunctionsJobs.Core.Orders;

public enum SupervisionAction
{
    /// <summary>Terminal, or changed recently: a delivery is (or may be) at work on it.</summary>
    Leave,

    /// <summary>Send a new message for it, so the idempotent workflow carries on where the record says.</summary>
    Redispatch,

    /// <summary>Its attempts are used up: release the stock, refund, mark it Failed.</summary>
    Compensate,
}

/// <param name="Redispatches">How many times the supervisor dispatched the order before this decision.</param>
public sealed record SupervisionDecision(SupervisionAction Action, string Reason, int Redispatches);

/// <summary>
/// What the order supervisor does with one order (Scheduler Agent Supervisor): pure, so every rule
/// is a unit test. The order's own history is the supervisor's memory: the workflow marks a last
/// delivery before it does anything (<see cref="OrderSteps.LastDelivery"/>), and each re-dispatch
/// is a checkpointed <see cref="OrderSteps.Supervise"/> step.
/// </summary>
public static class OrderSupervision
{
    /// <param name="oldestWaiting">When the oldest message still waiting in the orders queue was sent (<see cref="IOrderDispatcher.OldestWaitingAsync"/>); null if none waits.</param>
    public static SupervisionDecision Decide(Order order, DateTimeOffset now, OrderSupervisorOptions options, DateTimeOffset? oldestWaiting = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(options);
        var redispatches = order.History.Count(h => h is { Step: OrderSteps.Supervise, Outcome: OrderSteps.Redispatched });
        if (order.IsTerminal)
        {
            return new(SupervisionAction.Leave, $"{order.Status}", redispatches);
        }

        if (!IsStuck(order, now, options))
        {
            return new(SupervisionAction.Leave, $"{order.Status}, changed {Ago(now - order.UpdatedAt)} ago", redispatches);
        }

        var stuck = $"stuck in {order.Status} since {order.UpdatedAt.ToString("u", CultureInfo.InvariantCulture)}";
        if (order.EndsAs is not null || order.Status == OrderStatus.Compensated)
        {
            return new(SupervisionAction.Compensate, $"compensation {stuck}", redispatches);
        }

        if (order.History.LastOrDefault(h => h.Step == OrderSteps.LastDelivery) is { } last)
        {
            return new(SupervisionAction.Compensate, $"the last delivery ({last.Detail}) did not finish; {stuck}; compensated by the order supervisor", redispatches);
        }

        // A queue delivers oldest first: while it still holds a message sent before this order last
        // changed, the order's own message may be waiting behind it. Sending another would only
        // lengthen the queue, and giving up would fail a healthy order. StuckAfter of slack covers
        // messages just taken off the queue (being delivered, hidden from a peek) and a queue that
        // is first-in-first-out only roughly. A lost message is found once the queue has moved past it.
        if (oldestWaiting is { } head && order.UpdatedAt >= head - options.StuckAfter)
        {
            return new(SupervisionAction.Leave, $"{order.Status} since {order.UpdatedAt.ToString("u", CultureInfo.InvariantCulture)}, waiting in the orders queue (its oldest message was sent {head.ToString("u", CultureInfo.InvariantCulture)})", redispatches);
        }

        return redispatches >= options.MaxRedispatches
            ? new(SupervisionAction.Compensate, $"{stuck} after {redispatches} re-dispatches; compensated by the order supervisor", redispatches)
            : new(SupervisionAction.Redispatch, $"{stuck}; dispatched again ({redispatches + 1} of {options.MaxRedispatches})", redispatches);
    }

    /// <summary>Not terminal and unchanged for longer than <see cref="OrderSupervisorOptions.StuckAfter"/>: the same rule as the query's filter.</summary>
    public static bool IsStuck(Order order, DateTimeOffset now, OrderSupervisorOptions options)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(options);
        return !order.IsTerminal && order.UpdatedAt < StuckBefore(now, options);
    }

    public static DateTimeOffset StuckBefore(DateTimeOffset now, OrderSupervisorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return now - options.StuckAfter;
    }

    /// <summary>The UTC days whose partitions can hold a stuck order: today and the <c>LookbackDays - 1</c> before it, newest first.</summary>
    public static IReadOnlyList<DateOnly> DaysToRead(DateTimeOffset now, OrderSupervisorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return [.. Enumerable.Range(0, options.LookbackDays).Select(back => today.AddDays(-back))];
    }

    private static string Ago(TimeSpan age) => age.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
