using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;

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
    private readonly QueueClient _queue;
    private readonly PoisonQueue _poison;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PollingBackoff _backoff;
    private readonly QueueFunctionMetrics _metrics;
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private readonly SemaphoreSlim _completed = new(0);
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<MessageLease, byte> _held = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private Task _renewing = Task.CompletedTask;
    private bool _outage;
    private long _sequence;

    public QueueListener(
        QueueFunction function, QueueTriggerOptions options, StorageAccount storage, PoisonQueue poison,
        IServiceScopeFactory scopes, TimeProvider time, ILogger<QueueListener<TMessage>> logger, QueueFunctionMetrics metrics)
    {
        _metrics = metrics;
        _function = function;
        _options = options;
        _queue = storage.RawQueues.GetQueueClient(function.QueueName);
        _poison = poison;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _backoff = new PollingBackoff(QueueTriggerOptions.MinPollingInterval, options.MaxPollingInterval);
    }

    /// <summary>Messages whose handler is running now.</summary>
    public int InFlight => _inFlight.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Renewal runs until the drain is over (StopAsync), not only while the listener receives.
        _renewing = RenewLeasesAsync(_stopRenewing.Token);
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

                while (_inFlight.Count > _options.NewBatchThreshold)
                {
                    await _completed.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                var batch = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.MessageLease, stoppingToken).ConfigureAwait(false)).Value;
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
                    Start(message);
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
            await _stopRenewing.CancelAsync().ConfigureAwait(false);
            await _renewing.ConfigureAwait(false);
        }
    }

    private async Task StopReceivingAndDrainAsync(CancellationToken cancellationToken)
    {
        // Stop receiving first: base.StopAsync cancels the polling loop and waits for it.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        var running = _inFlight.Values.ToArray();
        if (running.Length == 0)
        {
            return;
        }

        LogDraining(_function.QueueName, running.Length, _options.DrainTimeout);
        var all = Task.WhenAll(running);
        using var drainTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drainTimer.CancelAfter(_options.DrainTimeout);
        try
        {
            await all.WaitAsync(drainTimer.Token).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException)
        {
            // The drain timed out: cancel the handlers that are still running.
        }

        LogAborting(_function.QueueName, _inFlight.Count);
        await _abort.CancelAsync().ConfigureAwait(false);

        // Each cancelled message is released (made visible) by its own task; give those a moment.
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10), _time, CancellationToken.None)).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _stopRenewing.Cancel();
        _stopRenewing.Dispose();
        _abort.Dispose();
        _completed.Dispose();
        base.Dispose();
    }

    private void Start(QueueMessage message)
    {
        // Keyed by a sequence, not the message id: a message whose lease lapsed can be in flight twice.
        var key = Interlocked.Increment(ref _sequence);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inFlight[key] = RunAsync(key, message, gate.Task);
        gate.SetResult();
    }

    private async Task RunAsync(long key, QueueMessage message, Task registered)
    {
        // Registered first, so the completion below always finds the entry to remove.
        await registered.ConfigureAwait(false);
        try
        {
            await ProcessAsync(message).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
            _completed.Release();
        }
    }

    private async Task ProcessAsync(QueueMessage message)
    {
        var lease = new MessageLease(message.MessageId, message.PopReceipt) { RenewAt = _time.GetUtcNow() + (_options.MessageLease / 2) };
        _held.TryAdd(lease, 0);
        var context = new QueueMessageContext(_function.QueueName, message.MessageId, message.DequeueCount, message.InsertedOn);
        Exception? failure = null;
        try
        {
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                // Delivered more often than allowed without a recorded failure: a process died
                // while handling it, maybe because of it. Functions poisons such a message unseen.
                await StopRenewingAsync(lease).ConfigureAwait(false);
                await MoveToPoisonAsync(message, lease, $"dequeue count {message.DequeueCount} exceeds maxDequeueCount {_options.MaxDequeueCount}").ConfigureAwait(false);
                return;
            }

            if (!QueueMessageDecoder.TryDecode<TMessage>(message.Body, _options.MessageEncoding, out var payload, out var reason))
            {
                await StopRenewingAsync(lease).ConfigureAwait(false);
                LogUndecodable(_function.Name, _function.QueueName, message.MessageId, reason!);
                await MoveToPoisonAsync(message, lease, reason!).ConfigureAwait(false);
                return;
            }

            // Without functionTimeout the handler gets the shutdown token itself; with one, a single
            // timed source that shutdown also cancels (no linked pair per message on this hot path).
            using var invocation = _options.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
            using var onShutdown = invocation is null ? default : _abort.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), invocation);
            await using (var scope = _scopes.CreateAsyncScope())
            {
                var handler = (IQueueHandler<TMessage>)scope.ServiceProvider.GetRequiredService(_function.HandlerType);
                try
                {
                    await _metrics.HandleAsync(_function.Name, handler, payload!, context, invocation?.Token ?? _abort.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (invocation is { IsCancellationRequested: true } && !_abort.IsCancellationRequested)
                {
                    // A timed-out invocation is a failed delivery, as in Functions: retried, then poisoned.
                    throw new TimeoutException($"functionTimeout {_options.FunctionTimeout} exceeded", ex);
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            await StopRenewingAsync(lease).ConfigureAwait(false);
            await ReleaseAsync(lease, TimeSpan.Zero).ConfigureAwait(false);
            LogReleasedOnShutdown(_function.Name, message.MessageId);
            return;
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        await StopRenewingAsync(lease).ConfigureAwait(false);
        if (failure is null)
        {
            await CompleteAsync(lease).ConfigureAwait(false);
            return;
        }

        LogHandlerFailed(failure, _function.Name, _function.QueueName, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
        if (message.DequeueCount >= _options.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, lease, $"handler failed on delivery {message.DequeueCount} of {_options.MaxDequeueCount}: {failure.GetType().Name}: {failure.Message}").ConfigureAwait(false);
        }
        else
        {
            await ReleaseAsync(lease, _options.VisibilityTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Keeps the messages of running handlers hidden: one timer for the whole listener, not one per
    /// message, because most handlers finish long before their lease needs renewing. A lease is
    /// renewed once half of it has passed; the timer ticks every eighth, which leaves at least three
    /// eighths of the lease for the renewal to land.
    /// </summary>
    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.MessageLease / 8, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                foreach (var lease in _held.Keys)
                {
                    lock (lease)
                    {
                        if (!lease.Settled && now >= lease.RenewAt && lease.Renewal is not { IsCompleted: false })
                        {
                            lease.Renewal = RenewAsync(lease);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RenewAsync(MessageLease lease)
    {
        try
        {
            var receipt = await _queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: _options.MessageLease).ConfigureAwait(false);
            lock (lease)
            {
                lease.PopReceipt = receipt.Value.PopReceipt;
                lease.RenewAt = _time.GetUtcNow() + (_options.MessageLease / 2);
            }
        }
        catch (Exception ex)
        {
            // The message may reappear for another consumer; the handler is idempotent, so the
            // worst case is a second, harmless delivery. A receipt that failed once stays invalid.
            lock (lease)
            {
                lease.RenewAt = DateTimeOffset.MaxValue;
            }

            LogRenewFailed(ex, _function.QueueName, lease.MessageId);
        }
    }

    /// <summary>Ends the renewal of a lease before it is settled, so the settling sees the newest pop receipt.</summary>
    private async Task StopRenewingAsync(MessageLease lease)
    {
        Task? renewal;
        lock (lease)
        {
            lease.Settled = true;
            renewal = lease.Renewal;
        }

        _held.TryRemove(lease, out _);
        if (renewal is not null)
        {
            await renewal.ConfigureAwait(false);
        }
    }

    private async Task CompleteAsync(MessageLease lease)
    {
        try
        {
            await _queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Not lost: the message comes back after its lease and the idempotent handler sees it again.
            LogSettleFailed(ex, "delete", _function.QueueName, lease.MessageId);
        }
    }

    private async Task ReleaseAsync(MessageLease lease, TimeSpan visibilityTimeout)
    {
        try
        {
            await _queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: visibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, "release", _function.QueueName, lease.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, MessageLease lease, string reason)
    {
        try
        {
            await _poison.MoveAsync(_queue, message, lease.PopReceipt, _function.Name, reason, CancellationToken.None).ConfigureAwait(false);
            _metrics.Poisoned(_function.Name, _function.QueueName);
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, "move to poison", _function.QueueName, lease.MessageId);
        }
    }

    private sealed class MessageLease(string messageId, string popReceipt)
    {
        public string MessageId { get; } = messageId;

        public string PopReceipt { get; set; } = popReceipt;

        /// <summary>When the lease is next due for renewal. This and the members below are read and written under the lease's lock.</summary>
        public DateTimeOffset RenewAt { get; set; }

        /// <summary>Set once the handler is done.</summary>
        public bool Settled { get; set; }

        public Task? Renewal { get; set; }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not extend the lease of message {MessageId}")]
    private partial void LogRenewFailed(Exception exception, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: could not {Action} message {MessageId}; it becomes visible again when its lease ends")]
    private partial void LogSettleFailed(Exception exception, string action, string queueName, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {QueueName}: draining {Count} in-flight messages for up to {DrainTimeout}")]
    private partial void LogDraining(string queueName, int count, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {QueueName}: drain timed out; cancelling {Count} handlers")]
    private partial void LogAborting(string queueName, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: message {MessageId} released for redelivery on shutdown")]
    private partial void LogReleasedOnShutdown(string functionName, string messageId);
}
