using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// Polls one queue and runs its function with the semantics of the Azure Functions queue trigger:
/// batches of <c>batchSize</c>, a new batch when in-flight work drops to <c>newBatchThreshold</c>,
/// exponential idle backoff up to <c>maxPollingInterval</c>, <c>visibilityTimeout</c> after a
/// failure, and <c>&lt;queue&gt;-poison</c> after <c>maxDequeueCount</c> deliveries. On shutdown it
/// stops receiving, drains in-flight handlers for <c>DrainTimeout</c>, then cancels them and makes
/// their messages visible again.
/// </summary>
internal sealed partial class QueueListener<TMessage> : BackgroundService
{
    private readonly QueueFunction _function;
    private readonly QueueTriggerOptions _options;
    private readonly HostRuntimeOptions _host;
    private readonly QueueClient _queue;
    private readonly PoisonQueue _poison;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PollingBackoff _backoff;
    private readonly MessageLeases _leases;
    private readonly InFlightWork _work;
    private readonly SemaphoreSlim _completed = new(0);
    private bool _outage;

    public QueueListener(
        QueueFunction function, QueueTriggerOptions options, HostRuntimeOptions host, StorageAccount storage, PoisonQueue poison,
        IServiceScopeFactory scopes, TimeProvider time, ILogger<QueueListener<TMessage>> logger)
    {
        _function = function;
        _options = options;
        _host = host;
        _queue = storage.RawQueues.GetQueueClient(function.QueueName);
        _poison = poison;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _backoff = new PollingBackoff(QueueTriggerOptions.MinPollingInterval, options.MaxPollingInterval);
        _leases = new MessageLeases(_queue, host.MessageLease, time, logger);
        _work = new InFlightWork(time);
    }

    /// <summary>Messages whose handler is running now.</summary>
    public int InFlight => _work.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Renewal runs until the drain is over (StopAsync), not only while the listener receives.
        _leases.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogListening(_function.Name, _function.QueueName, _options.BatchSize, _options.NewBatchThreshold, _options.MaxPollingInterval);
        var queueExists = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!queueExists)
                {
                    // Functions creates the trigger's queue too; a fresh Azurite (or one restarted
                    // with in-memory storage) has none.
                    await _queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    queueExists = true;
                }

                while (_work.Count > _options.NewBatchThreshold)
                {
                    await _completed.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                var requestedAt = _time.GetUtcNow();
                var batch = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _host.MessageLease, stoppingToken).ConfigureAwait(false)).Value;
                if (_outage)
                {
                    _outage = false;
                    LogRecovered(_function.QueueName);
                }

                if (batch.Length == 0)
                {
                    await Task.Delay(_backoff.Next(), _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                _backoff.Reset();
                foreach (var message in batch)
                {
                    Start(message, requestedAt);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (ex is RequestFailedException { Status: 404 })
                {
                    queueExists = false;
                }

                var delay = _backoff.Next();
                if (!_outage)
                {
                    _outage = true;
                    LogStorageFailure(ex, _function.QueueName, delay);
                }
                else
                {
                    LogStorageStillFailing(_function.QueueName, ex.GetType().Name, delay);
                }

                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StopReceivingAndDrainAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _leases.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StopReceivingAndDrainAsync(CancellationToken cancellationToken)
    {
        // Stop receiving first: base.StopAsync cancels the polling loop and waits for it.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Each message cancelled at the end is released (made visible) by its own task; give those a moment.
        await _work.StopAsync(
            _host.DrainTimeout,
            running => LogDraining(_function.QueueName, running, _host.DrainTimeout),
            running => LogAborting(_function.QueueName, running),
            endWithin: TimeSpan.FromSeconds(10),
            cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _work.Dispose();
        _completed.Dispose();
        base.Dispose();
    }

    private void Start(QueueMessage message, DateTimeOffset requestedAt)
    {
        _work.Begin();
        var invocation = new Invocation(message, _leases.Hold(message, requestedAt));

        // The gate hops to the thread pool, so handlers run off the receive loop.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = RunAsync(invocation, gate.Task);
        gate.SetResult();
    }

    private async Task RunAsync(Invocation invocation, Task gate)
    {
        await gate.ConfigureAwait(false);
        try
        {
            await ProcessAsync(invocation).ConfigureAwait(false);
        }
        finally
        {
            FreeSlot(invocation);
        }
    }

    /// <summary>Counts the invocation's slot free, once: when it ends, or when it is abandoned still running.</summary>
    private void FreeSlot(Invocation invocation)
    {
        if (invocation.TryFreeSlot())
        {
            _work.End();
            _completed.Release();
        }
    }

    private async Task ProcessAsync(Invocation invocation)
    {
        var (message, lease) = (invocation.Message, invocation.Lease);
        var context = new QueueMessageContext(_function.QueueName, message.MessageId, message.DequeueCount, message.InsertedOn);
        if (message.DequeueCount > _options.MaxDequeueCount)
        {
            // Delivered more often than allowed without a recorded failure: a process died
            // while handling it, maybe because of it. Functions poisons such a message unseen.
            invocation.TryEnd();
            await MoveToPoisonAsync(message, lease, $"dequeue count {message.DequeueCount} exceeds maxDequeueCount {_options.MaxDequeueCount}").ConfigureAwait(false);
            return;
        }

        if (!QueueMessageDecoder.TryDecode<TMessage>(message.Body, _options.MessageEncoding, out var payload, out var reason))
        {
            invocation.TryEnd();
            LogUndecodable(_function.Name, _function.QueueName, message.MessageId, reason!);
            await MoveToPoisonAsync(message, lease, reason!).ConfigureAwait(false);
            return;
        }

        Exception? failure = null;
        try
        {
            // Without functionTimeout the handler gets the shutdown token itself; with one, a single
            // timed source that shutdown also cancels (no linked pair per message on this hot path).
            // Once it fires, a handler that goes on past the grace is abandoned (WatchAsync).
            using var timed = _host.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
            using var onShutdown = timed is null ? default : _work.Cancelled.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timed);
            using var onCancelled = timed is null ? default : timed.Token.UnsafeRegister(static s => ((Invocation)s!).Cancelled.TrySetResult(), invocation);
            if (timed is not null)
            {
                _ = WatchAsync(invocation);
            }

            await using var scope = _scopes.CreateAsyncScope();
            var handler = (IQueueHandler<TMessage>)scope.ServiceProvider.GetRequiredService(_function.HandlerType);
            try
            {
                await handler.HandleAsync(payload!, context, timed?.Token ?? _work.Cancelled).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timed is { IsCancellationRequested: true } && !_work.Cancelled.IsCancellationRequested)
            {
                // A timed-out invocation is a failed delivery, as in Functions: retried, then poisoned.
                throw new TimeoutException($"functionTimeout {_host.FunctionTimeout} exceeded", ex);
            }
        }
        catch (OperationCanceledException) when (_work.Cancelled.IsCancellationRequested)
        {
            if (invocation.TryEnd())
            {
                await ReleaseAsync(lease, TimeSpan.Zero).ConfigureAwait(false);
                LogReleasedOnShutdown(_function.Name, message.MessageId);
            }

            return;
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        if (!invocation.TryEnd())
        {
            // Abandoned meanwhile: its message was given up then, and is not settled now.
            LogEndedAfterAbandoned(_function.Name, message.MessageId, failure is null ? "succeeded" : failure.GetType().Name);
            return;
        }

        if (failure is null)
        {
            await CompleteAsync(lease).ConfigureAwait(false);
            return;
        }

        LogHandlerFailed(failure, _function.Name, _function.QueueName, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
        await FailAsync(message, lease, $"handler failed on delivery {message.DequeueCount} of {_options.MaxDequeueCount}: {failure.GetType().Name}: {failure.Message}", _options.VisibilityTimeout).ConfigureAwait(false);
    }

    /// <summary>
    /// A handler that is still running <c>FunctionTimeoutGrace</c> after its token fired (it ignores
    /// the token, or blocks) is abandoned: its slot counts free, and its message is treated as a failed
    /// delivery, except that it is not made visible while the handler may still be working on it: its
    /// lease is no longer renewed, so it comes back when the lease runs out (or goes to poison, on its
    /// last delivery). Functions restarts the whole host instead.
    /// </summary>
    private async Task WatchAsync(Invocation invocation)
    {
        await invocation.Cancelled.Task.ConfigureAwait(false);
        await Task.Delay(_host.FunctionTimeoutGrace, _time).ConfigureAwait(false);
        if (!invocation.TryAbandon())
        {
            return;
        }

        FreeSlot(invocation);
        var message = invocation.Message;
        var cause = _work.Cancelled.IsCancellationRequested ? "the host is shutting down" : $"functionTimeout {_host.FunctionTimeout} exceeded";
        LogAbandoned(_function.Name, _function.QueueName, message.MessageId, cause, _host.FunctionTimeoutGrace);
        await FailAsync(message, invocation.Lease, $"{cause}; the handler ignored its cancellation for {_host.FunctionTimeoutGrace} and was abandoned", visibilityTimeout: null).ConfigureAwait(false);
    }

    /// <summary>A failed delivery: poison on the last one, else visible again after <paramref name="visibilityTimeout"/> (null: when its lease runs out).</summary>
    private async Task FailAsync(QueueMessage message, MessageLease lease, string reason, TimeSpan? visibilityTimeout)
    {
        if (message.DequeueCount >= _options.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, lease, reason).ConfigureAwait(false);
        }
        else if (visibilityTimeout is { } visibility)
        {
            await ReleaseAsync(lease, visibility).ConfigureAwait(false);
        }
        else
        {
            await _leases.StopAsync(lease).ConfigureAwait(false);
        }
    }

    private async Task CompleteAsync(MessageLease lease)
    {
        if (await SettleableAsync(lease).ConfigureAwait(false) is not { } deadline)
        {
            return;
        }

        using (deadline)
        {
            try
            {
                await _queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
            {
                // Not lost: the message comes back after its lease and the idempotent handler sees it again.
                LogSettleFailed(ex, "delete", _function.QueueName, lease.MessageId);
            }
        }
    }

    private async Task ReleaseAsync(MessageLease lease, TimeSpan visibilityTimeout)
    {
        if (await SettleableAsync(lease).ConfigureAwait(false) is not { } deadline)
        {
            return;
        }

        using (deadline)
        {
            try
            {
                await _queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: visibilityTimeout, cancellationToken: deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
            {
                LogSettleFailed(ex, "release", _function.QueueName, lease.MessageId);
            }
        }
    }

    /// <summary>
    /// Copies the message to poison while its lease is still renewed (a slow copy cannot let it
    /// reappear meanwhile), then deletes it with the newest pop receipt. If it cannot be deleted, the
    /// copy is taken back: the message comes back and is moved again, and poison holds one copy.
    /// </summary>
    private async Task MoveToPoisonAsync(QueueMessage message, MessageLease lease, string reason)
    {
        if (lease.LostReason is not null)
        {
            await _leases.StopAsync(lease).ConfigureAwait(false);
            return;
        }

        PoisonCopy copy;
        try
        {
            copy = await _poison.CopyAsync(_queue.Name, message, _function.Name, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Nothing copied: the message comes back when its lease runs out and is moved then.
            await _leases.StopAsync(lease).ConfigureAwait(false);
            LogSettleFailed(ex, "move to poison", _function.QueueName, lease.MessageId);
            return;
        }

        Exception? failure = null;
        if (await SettleableAsync(lease).ConfigureAwait(false) is { } deadline)
        {
            using (deadline)
            {
                try
                {
                    await _queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, deadline.Token).ConfigureAwait(false);
                    LogMovedToPoison(message.MessageId, _function.QueueName, copy.PoisonQueueName, copy.Receipt.MessageId, message.DequeueCount, reason);
                    return;
                }
                catch (RequestFailedException ex) when (QueueErrors.IsGone(ex))
                {
                    // Deleted or expired meanwhile: the copy is the only one left.
                    LogMovedToPoison(message.MessageId, _function.QueueName, copy.PoisonQueueName, copy.Receipt.MessageId, message.DequeueCount, reason);
                    return;
                }
                catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
                {
                    failure = ex;
                }
            }
        }

        try
        {
            await _poison.RemoveCopyAsync(copy, CancellationToken.None).ConfigureAwait(false);
            LogPoisonCopyTakenBack(failure, _function.QueueName, message.MessageId, copy.PoisonQueueName);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
        {
            LogPoisonCopyStays(ex, _function.QueueName, message.MessageId, copy.PoisonQueueName, copy.Receipt.MessageId);
        }
    }

    /// <summary>
    /// Stops renewing the lease; a deadline for settling it (the time its lease has left), or null
    /// when the lease was lost and the message must not be settled with a receipt that may be stale.
    /// </summary>
    private async Task<CallDeadline?> SettleableAsync(MessageLease lease)
    {
        await _leases.StopAsync(lease).ConfigureAwait(false);
        if (lease.LostReason is not null)
        {
            return null;
        }

        return new CallDeadline(lease.ExpiresAt - _time.GetUtcNow(), _time);
    }

    /// <summary>One delivery in flight, and who ended it: the handler, or the watch that abandoned it.</summary>
    private sealed class Invocation(QueueMessage message, MessageLease lease)
    {
        private int _state;
        private int _slotFreed;

        public QueueMessage Message { get; } = message;

        public MessageLease Lease { get; } = lease;

        /// <summary>Completed when the invocation's token fires (functionTimeout or shutdown).</summary>
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True for the first to end it: the handler returning.</summary>
        public bool TryEnd() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        /// <summary>True when it was still running: the watch gives it up.</summary>
        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

        /// <summary>True once: for whoever frees its slot first (its end, or its abandonment).</summary>
        public bool TryFreeSlot() => Interlocked.Exchange(ref _slotFreed, 1) == 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName} listening on queue {QueueName} (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxPollingInterval {MaxPollingInterval})")]
    private partial void LogListening(string functionName, string queueName, int batchSize, int newBatchThreshold, TimeSpan maxPollingInterval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: storage request failed; retrying in {Delay}")]
    private partial void LogStorageFailure(Exception exception, string queueName, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {QueueName}: storage still failing ({ErrorType}); retrying in {Delay}")]
    private partial void LogStorageStillFailing(string queueName, string errorType, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {QueueName}: storage reachable again, listening resumed")]
    private partial void LogRecovered(string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName}: message {MessageId} of queue {QueueName} cannot be decoded: {Reason}")]
    private partial void LogUndecodable(string functionName, string queueName, string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName} failed on message {MessageId} of queue {QueueName}, delivery {DequeueCount} of {MaxDequeueCount}")]
    private partial void LogHandlerFailed(Exception exception, string functionName, string queueName, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not {Action} message {MessageId}; it becomes visible again when its lease ends")]
    private partial void LogSettleFailed(Exception exception, string action, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {QueueName}: draining {Count} in-flight messages for up to {DrainTimeout}")]
    private partial void LogDraining(string queueName, int count, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: drain timed out; cancelling {Count} handlers")]
    private partial void LogAborting(string queueName, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: message {MessageId} released for redelivery on shutdown")]
    private partial void LogReleasedOnShutdown(string functionName, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName}: handler of message {MessageId} of queue {QueueName} abandoned still running ({Cause}; it ignored its cancellation for {Grace}); its slot is free and its lease no longer renewed")]
    private partial void LogAbandoned(string functionName, string queueName, string messageId, string cause, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName}: the abandoned handler of message {MessageId} ended after all ({Result}); the message is left to its lease")]
    private partial void LogEndedAfterAbandoned(string functionName, string messageId, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moved message {MessageId} of queue {QueueName} to {PoisonQueueName} as {PoisonMessageId} after {DequeueCount} deliveries: {Reason}")]
    private partial void LogMovedToPoison(string messageId, string queueName, string poisonQueueName, string poisonMessageId, long dequeueCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not delete message {MessageId} after copying it to {PoisonQueueName}; the copy was taken back and the message is moved when it comes back")]
    private partial void LogPoisonCopyTakenBack(Exception? exception, string queueName, string messageId, string poisonQueueName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {QueueName}: could neither delete message {MessageId} nor take back its copy {PoisonMessageId} in {PoisonQueueName}; poison may get a second copy")]
    private partial void LogPoisonCopyStays(Exception exception, string queueName, string messageId, string poisonQueueName, string poisonMessageId);
}
