using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// The supervisor of the Scheduler Agent Supervisor pattern: every minute it looks for orders that
/// are not terminal and have not changed for <c>OrderSupervisorStuckAfter</c> (a lost message, a
/// process that died during a delivery, a message poisoned unseen), and either dispatches them
/// again through <see cref="IOrderDispatcher"/> or, once their attempts are used up, compensates
/// them through the workflow (<see cref="OrderSupervision"/> decides).
/// <para>
/// Each action is conditional on the ETag of the record it read: a re-dispatch is a checkpoint
/// (only then is the message sent) and compensation starts with one. So a supervisor pass that
/// races a live delivery, or another pass, loses the checkpoint and leaves the order to the winner.
/// </para>
/// <para>
/// Unchanged is not lost while the orders queue is long: each pass first looks at when the oldest
/// waiting message was sent, and leaves alone the orders whose message may be waiting behind it.
/// </para>
/// </summary>
public sealed partial class OrderSupervisorJob(
    OrderSupervisorOptions options, OrderStore orders, IOrderDispatcher dispatcher, IServiceScopeFactory scopes, TimeProvider time, ILogger<OrderSupervisorJob> logger)
    : IScheduledJob
{
    public string Name => OrderSupervisorSettings.FunctionName;

    public string ScheduleSetting => OrderSupervisorSettings.ScheduleSetting;

    public string DefaultSchedule => OrderSupervisorSettings.DefaultSchedule;

    public async Task RunAsync(JobRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        var stuckBefore = OrderSupervision.StuckBefore(now, options);
        var days = OrderSupervision.DaysToRead(now, options);
        var oldestWaiting = await dispatcher.OldestWaitingAsync(cancellationToken).ConfigureAwait(false);
        var failed = new List<(string OrderId, Exception Error)>();
        for (var i = 0; i < days.Count; i++)
        {
            await foreach (var order in orders.ListStuckAsync(days[i], stuckBefore, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await SuperviseAsync(order, now, oldestWaiting, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The order stays stuck and is seen again on a later pass; the others go on.
                    LogOrderFailed(ex, order.Id);
                    failed.Add((order.Id, ex));
                }

                context.Progress.Add(1);
            }

            context.Progress.Add(0, 100.0 * (i + 1) / days.Count);
        }

        if (failed.Count > 0)
        {
            throw new AggregateException(
                $"order supervisor: {failed.Count} stuck orders could not be handled: {string.Join(", ", failed.Take(10).Select(f => $"{f.OrderId} ({f.Error.GetType().Name}: {f.Error.Message})"))}",
                failed.Select(f => f.Error));
        }
    }

    private async Task SuperviseAsync(Order order, DateTimeOffset now, DateTimeOffset? oldestWaiting, CancellationToken cancellationToken)
    {
        var decision = OrderSupervision.Decide(order, now, options, oldestWaiting);
        switch (decision.Action)
        {
            case SupervisionAction.Redispatch:
                order.Record(new OrderStep(OrderSteps.Supervise, now, 0, OrderSteps.Redispatched, decision.Reason));
                order.UpdatedAt = now;
                if (!await orders.TryReplaceAsync(order, cancellationToken).ConfigureAwait(false))
                {
                    LogMovedOn(order.Id);
                    return;
                }

                // Checkpointed first, so of two racing passes only one sends; a send that fails leaves
                // the order stuck with the re-dispatch counted, and a later pass tries again.
                await dispatcher.SendAsync(new OrderMessage(order.Id), $"{order.Id}-redispatch-{decision.Redispatches + 1}", cancellationToken).ConfigureAwait(false);
                LogRedispatched(order.Id, decision.Reason);
                break;

            case SupervisionAction.Compensate:
                using (var scope = scopes.CreateScope())
                {
                    var workflow = scope.ServiceProvider.GetRequiredService<OrderWorkflow>();
                    if (!await workflow.CompensateStuckAsync(order, decision.Reason, cancellationToken).ConfigureAwait(false))
                    {
                        LogMovedOn(order.Id);
                    }
                }

                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order supervisor: order {OrderId} dispatched again: {Reason}")]
    private partial void LogRedispatched(string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order supervisor: order {OrderId} changed while it was looked at; a delivery is at work on it, so it is left alone")]
    private partial void LogMovedOn(string orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Order supervisor: order {OrderId} could not be handled; a later pass tries again")]
    private partial void LogOrderFailed(Exception exception, string orderId);
}
