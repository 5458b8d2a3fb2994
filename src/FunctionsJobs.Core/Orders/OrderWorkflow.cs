using System.Diagnostics;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Runs one order from its record to a terminal state: reserve stock → charge → confirmation e-mail
/// → Completed; or, when stock is short, the payment is declined, or the last delivery still fails,
/// compensation → Compensated → customer told → Rejected or Failed.
/// <para>
/// Every step's effect is idempotent by order id (reservation rows, the gateway's idempotency key,
/// the e-mail outbox), and every step ends in a checkpoint: a replace of the order record
/// conditional on the ETag this delivery read. A delivery that loses a checkpoint race reloads the
/// record and carries on from what it says, so any number of deliveries, in any order or at once,
/// leave one reservation, one charge and one e-mail. Compensation is recorded (<see cref="Order.EndsAs"/>)
/// before anything is undone, so a racing delivery can no longer move the order forward, and what
/// it did meanwhile is undone too (released lines and voided payments stay blocked).
/// </para>
/// <para>
/// The checkpoint that makes an order terminal is preceded by staging its callback event, if the
/// caller asked for one, and followed by releasing it (<see cref="CallbackOutbox"/>).
/// </para>
/// </summary>
public sealed partial class OrderWorkflow(
    OrdersOptions options, OrderStore orders, InventoryStore inventory, IPaymentGateway payments, MailOutbox outbox, OrderCallbacks callbacks, TimeProvider time,
    ILogger<OrderWorkflow> logger)
    : IQueueHandler<OrderMessage>
{
    /// <summary>The storage-queue trigger: the last delivery is host.json's <c>maxDequeueCount</c>.</summary>
    public Task HandleAsync(OrderMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        return ProcessAsync(message.OrderId, context.DequeueCount, options.MaxDequeueCount, cancellationToken);
    }

    /// <summary>
    /// Processes one delivery. Throws to have the message delivered again (a transient failure);
    /// on delivery <paramref name="maxAttempts"/> it compensates instead, so the order never stays half-done.
    /// </summary>
    /// <param name="attempt">1 on the first delivery (dequeue count, Service Bus delivery count).</param>
    public async Task ProcessAsync(string orderId, long attempt, int maxAttempts, CancellationToken cancellationToken)
    {
        if (!OrderId.IsValid(orderId))
        {
            throw new InvalidOrderMessageException($"'{orderId}' is not an order id");
        }

        Activity.Current?.SetTag("functionsjobs.order.id", orderId);
        var run = new Delivery(attempt, maxAttempts, cancellationToken);
        try
        {
            var order = await orders.GetAsync(orderId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOrderMessageException($"order {orderId} does not exist");
            if (run.IsLast)
            {
                order = await MarkLastDeliveryAsync(order, run).ConfigureAwait(false);
            }

            await RunAsync(order, run).ConfigureAwait(false);
        }
        catch (Exception ex) when (run.IsLast && ex is not InvalidOrderMessageException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            LogGivingUp(ex, orderId, attempt, maxAttempts);
            await GiveUpAsync(orderId, run, $"gave up after attempt {attempt} of {maxAttempts}: {(ex as OrderRetryException)?.Cause ?? "an internal error"}").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The order supervisor's way out for an order whose attempts are used up: starts compensation
    /// if nobody changed the order since the supervisor read it (its ETag), then carries
    /// compensation to the end, as the last delivery would. False if the order changed meanwhile:
    /// a delivery is at work on it after all, and the supervisor looks again on its next pass.
    /// </summary>
    public async Task<bool> CompensateStuckAsync(Order order, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);

        // Attempt 0: not a delivery. As the last word on the order, a failure notice that cannot be sent ends it anyway.
        var run = new Delivery(0, 0, cancellationToken);
        if (!order.IsTerminal && order.EndsAs is null && !await BeginCompensationAsync(order, OrderStatus.Failed, reason, run).ConfigureAwait(false))
        {
            return false;
        }

        LogCompensatingStuck(order.Id, reason);
        await RunAsync(order, run).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A process that dies (or shuts down) during the last delivery leaves the message to go to
    /// poison unseen; this mark, written before anything else, tells the supervisor that the
    /// order's attempts are used up. One more checkpoint, only on a last delivery.
    /// </summary>
    private async Task<Order> MarkLastDeliveryAsync(Order order, Delivery run)
    {
        while (!order.IsTerminal && order.EndsAs is null)
        {
            order.Record(Step(OrderSteps.LastDelivery, run, OrderSteps.Started, $"attempt {run.Attempt} of {run.MaxAttempts}"));
            if (await CheckpointAsync(order, run).ConfigureAwait(false))
            {
                break;
            }

            order = await ReloadAsync(order.Id, run).ConfigureAwait(false);
        }

        return order;
    }

    private async Task RunAsync(Order order, Delivery run)
    {
        while (!order.IsTerminal)
        {
            var step = NextStep(order);
            using var span = FunctionsJobsTelemetry.StartStep($"order {step}");
            var checkpointed = step switch
            {
                OrderSteps.NotifyCustomer => await NotifyFailureAsync(order, run).ConfigureAwait(false),
                OrderSteps.Compensate => await CompensateAsync(order, run).ConfigureAwait(false),
                OrderSteps.ReserveStock => await ReserveAsync(order, run).ConfigureAwait(false),
                OrderSteps.Charge => await ChargeAsync(order, run).ConfigureAwait(false),
                _ => await ConfirmAsync(order, run).ConfigureAwait(false),
            };
            if (!checkpointed)
            {
                LogCheckpointLost(order.Id, order.Status.ToString());
                order = await ReloadAsync(order.Id, run).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The step <see cref="RunAsync"/> takes next, from the order's record; it also names the step's span.</summary>
    private static string NextStep(Order order) => order switch
    {
        { Status: OrderStatus.Compensated } => OrderSteps.NotifyCustomer,
        { EndsAs: not null } => OrderSteps.Compensate,
        { Status: OrderStatus.Accepted } => OrderSteps.ReserveStock,
        { Status: OrderStatus.StockReserved } => OrderSteps.Charge,
        _ => OrderSteps.SendConfirmation,
    };

    private async Task<bool> ReserveAsync(Order order, Delivery run)
    {
        foreach (var line in order.Lines)
        {
            var reservation = await inventory.ReserveAsync(order.Id, line, run.Cancellation).ConfigureAwait(false);
            switch (reservation.Outcome)
            {
                case ReservationOutcome.Released:
                    // Compensation started elsewhere, and it recorded that before it released anything.
                    return false;
                case ReservationOutcome.Insufficient:
                    return await BeginCompensationAsync(order, OrderStatus.Rejected, $"not enough stock of {line.Sku}: {line.Quantity} ordered, {reservation.Available} available", run).ConfigureAwait(false);
                case ReservationOutcome.UnknownSku:
                    return await BeginCompensationAsync(order, OrderStatus.Rejected, $"{line.Sku} is no longer sold", run).ConfigureAwait(false);
            }
        }

        order.Status = OrderStatus.StockReserved;
        order.Record(Step(OrderSteps.ReserveStock, run, OrderSteps.Succeeded, $"{order.Lines.Count} lines"));
        return await CheckpointAsync(order, run).ConfigureAwait(false);
    }

    private async Task<bool> ChargeAsync(Order order, Delivery run)
    {
        PaymentResult payment;
        try
        {
            payment = await FunctionsJobsTelemetry.TraceAsync("payment charge", () => payments.ChargeAsync(new PaymentRequest(order.Id, order.PaymentToken, order.TotalCents, order.Currency, $"Order {order.Id}"), run.Cancellation)).ConfigureAwait(false);
        }
        catch (PaymentTransientException ex)
        {
            throw await RetryLaterAsync(order, OrderSteps.Charge, ex, run).ConfigureAwait(false);
        }

        if (payment.Outcome == PaymentOutcome.Declined)
        {
            order.Record(Step(OrderSteps.Charge, run, OrderSteps.Declined, payment.DeclineReason));
            return await BeginCompensationAsync(order, OrderStatus.Failed, $"payment declined: {payment.DeclineReason}", run).ConfigureAwait(false);
        }

        order.Status = OrderStatus.Paid;
        order.ChargeId = payment.ChargeId;
        order.Record(Step(OrderSteps.Charge, run, OrderSteps.Succeeded, payment.ChargeId));
        return await CheckpointAsync(order, run).ConfigureAwait(false);
    }

    private async Task<bool> ConfirmAsync(Order order, Delivery run)
    {
        MailOutcome mail;
        try
        {
            mail = await outbox.SendOnceAsync(order, OrderMailKind.Confirmation, run.Cancellation).ConfigureAwait(false);
        }
        catch (MailTransientException ex)
        {
            throw await RetryLaterAsync(order, OrderSteps.SendConfirmation, ex, run).ConfigureAwait(false);
        }

        order.Record(MailStep(OrderSteps.SendConfirmation, run, mail));
        order.Status = OrderStatus.Completed;
        order.Record(Step(OrderSteps.Complete, run, OrderSteps.Succeeded));
        if (!await TerminalCheckpointAsync(order, run).ConfigureAwait(false))
        {
            return false;
        }

        LogFinished(order.Id, order.Status.ToString(), order.Reason ?? "reserved, charged and confirmed");
        return true;
    }

    private async Task<bool> BeginCompensationAsync(Order order, OrderStatus endsAs, string reason, Delivery run)
    {
        order.EndsAs = endsAs;
        order.Reason = reason;
        order.Record(Step(OrderSteps.Compensate, run, OrderSteps.Started, reason));
        return await CheckpointAsync(order, run).ConfigureAwait(false);
    }

    private async Task<bool> CompensateAsync(Order order, Delivery run)
    {
        var released = 0;
        foreach (var line in order.Lines)
        {
            if (await inventory.ReleaseAsync(order.Id, line.Sku, run.Cancellation).ConfigureAwait(false))
            {
                released++;
            }
        }

        order.Record(Step(OrderSteps.ReleaseStock, run, OrderSteps.Succeeded, $"{released} of {order.Lines.Count} lines given back"));

        // A rejected order never got past reservation, so nothing can have been charged.
        if (order.EndsAs == OrderStatus.Failed)
        {
            RefundResult refund;
            try
            {
                refund = await FunctionsJobsTelemetry.TraceAsync("payment refund", () => payments.RefundAsync(order.Id, order.Reason ?? "order failed", run.Cancellation)).ConfigureAwait(false);
            }
            catch (PaymentTransientException ex)
            {
                throw await RetryLaterAsync(order, OrderSteps.Refund, ex, run).ConfigureAwait(false);
            }

            order.Record(Step(OrderSteps.Refund, run, OrderSteps.Succeeded, refund.Outcome == RefundOutcome.Refunded ? $"refunded {refund.ChargeId}" : "nothing was charged"));
        }

        order.Status = OrderStatus.Compensated;
        return await CheckpointAsync(order, run).ConfigureAwait(false);
    }

    private async Task<bool> NotifyFailureAsync(Order order, Delivery run)
    {
        var kind = order.EndsAs == OrderStatus.Rejected ? OrderMailKind.Rejected : OrderMailKind.Failed;
        try
        {
            var mail = await outbox.SendOnceAsync(order, kind, run.Cancellation).ConfigureAwait(false);
            order.Record(MailStep(OrderSteps.NotifyCustomer, run, mail));
        }
        catch (MailTransientException ex) when (run.IsLast)
        {
            // No delivery is left to retry on: the order ends now, and its e-mail stays Pending in the outbox.
            LogNotifyGaveUp(ex, order.Id);
            order.Record(Step(OrderSteps.NotifyCustomer, run, OrderSteps.GaveUp, $"{CauseOf(OrderSteps.NotifyCustomer)}; it stays pending in the outbox"));
        }
        catch (MailTransientException ex)
        {
            throw await RetryLaterAsync(order, OrderSteps.NotifyCustomer, ex, run).ConfigureAwait(false);
        }

        order.Status = order.EndsAs ?? OrderStatus.Failed;
        if (!await TerminalCheckpointAsync(order, run).ConfigureAwait(false))
        {
            return false;
        }

        LogFinished(order.Id, order.Status.ToString(), order.Reason ?? "reserved, charged and confirmed");
        return true;
    }

    private async Task GiveUpAsync(string orderId, Delivery run, string reason)
    {
        var order = await ReloadAsync(orderId, run).ConfigureAwait(false);
        while (!order.IsTerminal && order.EndsAs is null)
        {
            if (!await BeginCompensationAsync(order, OrderStatus.Failed, reason, run).ConfigureAwait(false))
            {
                order = await ReloadAsync(orderId, run).ConfigureAwait(false);
            }
        }

        await RunAsync(order, run).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the failed attempt in the history (best effort) and returns what to throw so the
    /// message comes back. The history, which callers see, says what failed in the customer's
    /// words; hosts, ports and exception text go to the log only.
    /// </summary>
    private async Task<Exception> RetryLaterAsync(Order order, string step, Exception failure, Delivery run)
    {
        LogRetrying(failure, order.Id, step, run.Attempt, run.MaxAttempts, failure.Message);
        var cause = CauseOf(step);
        order.Record(Step(step, run, run.IsLast ? OrderSteps.Failed : OrderSteps.Retrying, cause));
        await CheckpointAsync(order, run).ConfigureAwait(false);
        return new OrderRetryException($"order {order.Id}: {step} failed on attempt {run.Attempt} of {run.MaxAttempts}: {failure.Message}", cause, failure);
    }

    /// <summary>What a transient failure of a step means to the customer.</summary>
    private static string CauseOf(string step) => step switch
    {
        OrderSteps.Charge or OrderSteps.Refund => "the payment provider did not answer",
        OrderSteps.SendConfirmation or OrderSteps.NotifyCustomer => "the e-mail could not be sent",
        _ => "an internal error",
    };

    /// <summary>The checkpoint of a terminal status, with the order's callback event staged before it and released after.</summary>
    private async Task<bool> TerminalCheckpointAsync(Order order, Delivery run)
    {
        var staged = await callbacks.StageAsync(order, run.Cancellation).ConfigureAwait(false);
        if (!await CheckpointAsync(order, run).ConfigureAwait(false))
        {
            return false;
        }

        await callbacks.ReleaseAsync(staged).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> CheckpointAsync(Order order, Delivery run)
    {
        order.UpdatedAt = time.GetUtcNow();
        return await orders.TryReplaceAsync(order, run.Cancellation).ConfigureAwait(false);
    }

    private async Task<Order> ReloadAsync(string orderId, Delivery run) =>
        await orders.GetAsync(orderId, run.Cancellation).ConfigureAwait(false) ?? throw new InvalidOrderMessageException($"order {orderId} disappeared");

    private OrderStep Step(string step, Delivery run, string outcome, string? detail = null) => new(step, time.GetUtcNow(), run.Attempt, outcome, detail);

    private OrderStep MailStep(string step, Delivery run, MailOutcome mail) => mail switch
    {
        MailOutcome.Sent => Step(step, run, OrderSteps.Succeeded),
        MailOutcome.Unconfirmed => Step(step, run, OrderSteps.Succeeded, "sent; the mail server's answer was lost, so it is not sent again"),
        _ => Step(step, run, OrderSteps.Skipped, "already sent"),
    };

    private sealed record Delivery(long Attempt, int MaxAttempts, CancellationToken Cancellation)
    {
        public bool IsLast => Attempt >= MaxAttempts;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} {Status}: {Reason}")]
    private partial void LogFinished(string orderId, string status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {Step} failed on attempt {Attempt} of {MaxAttempts}, the message will be retried: {Error}")]
    private partial void LogRetrying(Exception exception, string orderId, string step, long attempt, int maxAttempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the last delivery could not send the customer's e-mail either; the order ends, the e-mail stays pending in the outbox")]
    private partial void LogNotifyGaveUp(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: attempt {Attempt} of {MaxAttempts} was the last; compensating")]
    private partial void LogGivingUp(Exception exception, string orderId, long attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the order supervisor compensates it: {Reason}")]
    private partial void LogCompensatingStuck(string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId}: another delivery moved it on from {Status}; reloading")]
    private partial void LogCheckpointLost(string orderId, string status);
}

/// <summary>A step failed transiently; the queue delivers the order again.</summary>
/// <param name="cause">What failed, in the customer's words: the reason an order given up on it shows.</param>
public sealed class OrderRetryException(string message, string cause, Exception inner) : Exception(message, inner)
{
    public string Cause { get; } = cause;
}
