using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Telemetry;
using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// The messages of one queue function in flight: each runs its handler on the thread pool (decoded,
/// in a DI scope of its own, with <c>functionTimeout</c>), then is settled as the outcome says: deleted,
/// released after <c>visibilityTimeout</c>, or moved to <c>&lt;queue&gt;-poison</c> after
/// <c>maxDequeueCount</c> deliveries. It counts them (the receive loop waits for room below
/// <c>newBatchThreshold</c>), abandons a handler that ignores its cancellation past the grace, and on
/// shutdown drains them, then cancels the rest and makes their messages visible again.
/// </summary>
internal sealed partial class MessageInvocations<TMessage> : IDisposable
{
    /// <summary>How long cancelled handlers get, after the drain, to release their messages.</summary>
    private static readonly TimeSpan ReleaseAfterCancel = TimeSpan.FromSeconds(10);

    private readonly QueueFunction _function;
    private readonly QueueTriggerOptions _options;
    private readonly HostRuntimeOptions _host;
    private readonly MessageLeases _leases;
    private readonly MessageSettlement _settlement;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly InFlightWork _work;
    private readonly QueueFunctionMetrics _metrics;
    private TaskCompletionSource? _room;
    private int _roomAt;

    public MessageInvocations(
        QueueFunction function, QueueTriggerOptions options, HostRuntimeOptions host, MessageLeases leases, MessageSettlement settlement,
        IServiceScopeFactory scopes, TimeProvider time, ILogger logger, QueueFunctionMetrics metrics)
    {
        _metrics = metrics;
        _function = function;
        _options = options;
        _host = host;
        _leases = leases;
        _settlement = settlement;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _work = new InFlightWork(time);
    }

    /// <summary>Completes once no more than <paramref name="threshold"/> messages are in flight.</summary>
    public Task WaitForRoomAsync(int threshold, CancellationToken cancellationToken)
    {
        if (_work.Count <= threshold)
        {
            return Task.CompletedTask;
        }

        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _roomAt, threshold);
        Volatile.Write(ref _room, room);

        // Looked at again once published: a slot freed in between did not see this waiter.
        if (_work.Count <= threshold)
        {
            room.TrySetResult();
        }

        return room.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Counts the message in and runs it on the thread pool, off the receive loop.</summary>
    public void Start(QueueMessage message, DateTimeOffset requestedAt)
    {
        _work.Begin();
        ThreadPool.UnsafeQueueUserWorkItem(new Invocation(this, message, _leases.Hold(message, requestedAt)), preferLocal: false);
    }

    /// <summary>Drains for <c>DrainTimeout</c>, then cancels the handlers still running; each releases its message.</summary>
    public Task DrainAsync(CancellationToken cancellationToken) =>
        _work.StopAsync(
            _host.DrainTimeout,
            running => LogDraining(_function.QueueName, running, _host.DrainTimeout),
            running => LogAborting(_function.QueueName, running),
            ReleaseAfterCancel,
            cancellationToken);

    public void Dispose() => _work.Dispose();

    private async Task RunAsync(Invocation invocation)
    {
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
        if (!invocation.TryFreeSlot())
        {
            return;
        }

        _work.End();
        if (Volatile.Read(ref _room) is { Task.IsCompleted: false } room && _work.Count <= Volatile.Read(ref _roomAt))
        {
            room.TrySetResult();
        }
    }

    private async Task ProcessAsync(Invocation invocation)
    {
        var (message, lease) = (invocation.Message, invocation.Lease);
        if (message.DequeueCount > _options.MaxDequeueCount)
        {
            // Delivered more often than allowed without a recorded failure: a process died
            // while handling it, maybe because of it. Functions poisons such a message unseen.
            invocation.TryEnd();
            var exceeded = $"dequeue count {message.DequeueCount} exceeds maxDequeueCount {_options.MaxDequeueCount}";
            Settled(message, await _settlement.MoveToPoisonAsync(message, lease, exceeded).ConfigureAwait(false), exceeded);
            return;
        }

        if (!QueueMessageDecoder.TryDecode<TMessage>(message.Body, _options.MessageEncoding, out var payload, out var reason))
        {
            invocation.TryEnd();
            LogUndecodable(_function.Name, _function.QueueName, message.MessageId, reason!);
            Settled(message, await _settlement.MoveToPoisonAsync(message, lease, reason!).ConfigureAwait(false), reason);
            return;
        }

        var shutdown = _work.Cancelled;
        Exception? failure = null;
        try
        {
            // Without functionTimeout the handler gets the shutdown token itself; with one, a single
            // timed source that shutdown also cancels (no linked pair per message on this hot path).
            // Once it fires, a handler that goes on past the grace is abandoned (AbandonAfterGraceAsync).
            using var timed = _host.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
            using var onShutdown = timed is null ? default : shutdown.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timed);
            using var onCancelled = timed is null ? default : timed.Token.UnsafeRegister(static s => ((Invocation)s!).Cancelled(), invocation);
            var context = new QueueMessageContext(_function.QueueName, message.MessageId, message.DequeueCount, message.InsertedOn);
            await using var scope = _scopes.CreateAsyncScope();
            var handler = (IQueueHandler<TMessage>)scope.ServiceProvider.GetRequiredService(_function.HandlerType);
            try
            {
                await _metrics.HandleAsync(_function.Name, handler, payload!, context, timed?.Token ?? shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timed is { IsCancellationRequested: true } && !shutdown.IsCancellationRequested)
            {
                // A timed-out invocation is a failed delivery, as in Functions: retried, then poisoned.
                throw new TimeoutException($"functionTimeout {_host.FunctionTimeout} exceeded", ex);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            if (invocation.TryEnd())
            {
                var released = await _settlement.ReleaseAsync(lease, TimeSpan.Zero).ConfigureAwait(false);
                if (released.Outcome == SettleOutcome.Released)
                {
                    LogReleasedOnShutdown(_function.Name, message.MessageId);
                }
                else
                {
                    Log(message, released);
                }
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
            Settled(message, await _settlement.CompleteAsync(lease).ConfigureAwait(false));
            return;
        }

        LogHandlerFailed(failure, _function.Name, _function.QueueName, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
        var failed = $"handler failed on delivery {message.DequeueCount} of {_options.MaxDequeueCount}: {failure.GetType().Name}: {failure.Message}";
        Settled(message, await FailAsync(message, lease, failed, _options.VisibilityTimeout).ConfigureAwait(false), failed);
    }

    /// <summary>
    /// A handler that is still running <c>FunctionTimeoutGrace</c> after its token fired (it ignores
    /// the token, or blocks) is abandoned: its slot counts free, and its message is treated as a failed
    /// delivery, except that it is not made visible while the handler may still be working on it: its
    /// lease is no longer renewed, so it comes back when the lease runs out (or goes to poison, on its
    /// last delivery). Functions restarts the whole host instead.
    /// </summary>
    private async Task AbandonAfterGraceAsync(Invocation invocation)
    {
        await Task.Delay(_host.FunctionTimeoutGrace, _time).ConfigureAwait(false);
        if (!invocation.TryAbandon())
        {
            return;
        }

        FreeSlot(invocation);
        var message = invocation.Message;
        var cause = _work.Cancelled.IsCancellationRequested ? "the host is shutting down" : $"functionTimeout {_host.FunctionTimeout} exceeded";
        LogAbandoned(_function.Name, _function.QueueName, message.MessageId, cause, _host.FunctionTimeoutGrace);
        var abandoned = $"{cause}; the handler ignored its cancellation for {_host.FunctionTimeoutGrace} and was abandoned";
        Settled(message, await FailAsync(message, invocation.Lease, abandoned, visibilityTimeout: null).ConfigureAwait(false), abandoned);
    }

    /// <summary>Counts a message moved to poison (the handler's own outcomes are counted around it), then logs the settlement.</summary>
    private void Settled(QueueMessage message, Settlement settled, string? reason = null)
    {
        if (settled.Outcome == SettleOutcome.MovedToPoison)
        {
            _metrics.Poisoned(_function.Name, _function.QueueName);
        }

        Log(message, settled, reason);
    }

    /// <summary>A failed delivery: poison on the last one, else visible again after <paramref name="visibilityTimeout"/> (null: when its lease runs out).</summary>
    private Task<Settlement> FailAsync(QueueMessage message, MessageLease lease, string reason, TimeSpan? visibilityTimeout)
    {
        if (message.DequeueCount >= _options.MaxDequeueCount)
        {
            return _settlement.MoveToPoisonAsync(message, lease, reason);
        }

        return visibilityTimeout is { } visibility ? _settlement.ReleaseAsync(lease, visibility) : _settlement.LetLapseAsync(lease);
    }

    /// <summary>One delivery in flight, and who ended it: the handler, or the grace that abandoned it.</summary>
    private sealed class Invocation(MessageInvocations<TMessage> owner, QueueMessage message, MessageLease lease) : IThreadPoolWorkItem
    {
        private int _state;
        private int _slotFreed;

        public QueueMessage Message { get; } = message;

        public MessageLease Lease { get; } = lease;

        public void Execute() => _ = owner.RunAsync(this);

        /// <summary>Its token fired (functionTimeout or shutdown): from now on the grace runs.</summary>
        public void Cancelled() => _ = owner.AbandonAfterGraceAsync(this);

        /// <summary>True for the first to end it: the handler returning.</summary>
        public bool TryEnd() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        /// <summary>True when it was still running: the grace gives it up.</summary>
        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

        /// <summary>True once: for whoever frees its slot first (its end, or its abandonment).</summary>
        public bool TryFreeSlot() => Interlocked.Exchange(ref _slotFreed, 1) == 0;
    }
}
