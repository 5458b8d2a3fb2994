using Azure;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// Polls one queue with the semantics of the Azure Functions queue trigger: batches of
/// <c>batchSize</c>, a new batch when in-flight work drops to <c>newBatchThreshold</c>, exponential
/// idle backoff up to <c>maxPollingInterval</c>, and a storage outage backed off the same way and
/// recovered from by itself. Split by role as the WebJobs queue extension splits its listener from
/// its processor: what it receives is run by <see cref="MessageInvocations{TMessage}"/>, kept hidden
/// by <see cref="MessageLeases"/> and settled by <see cref="MessageSettlement"/>. A message this process
/// sends to the queue wakes it at once (<see cref="QueueWakeups"/>). On shutdown it stops receiving,
/// then the invocations drain.
/// </summary>
internal sealed partial class QueueListener<TMessage> : BackgroundService
{
    private readonly QueueFunction _function;
    private readonly QueueTriggerOptions _options;
    private readonly HostRuntimeOptions _host;
    private readonly QueueClient _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PollingBackoff _backoff;
    private readonly MessageLeases _leases;
    private readonly MessageInvocations<TMessage> _invocations;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _outage;

    public QueueListener(
        QueueFunction function, QueueTriggerOptions options, HostRuntimeOptions host, StorageAccount storage, PoisonQueue poison,
        QueueWakeups wakeups, IServiceScopeFactory scopes, TimeProvider time, ILogger<QueueListener<TMessage>> logger, QueueFunctionMetrics metrics)
    {
        _function = function;
        _options = options;
        _host = host;
        _queue = storage.RawQueues.GetQueueClient(function.QueueName);
        _time = time;
        _logger = logger;
        _backoff = new PollingBackoff(QueueTriggerOptions.MinPollingInterval, options.MaxPollingInterval);
        _leases = new MessageLeases(_queue, host.MessageLease, time, logger);
        var settlement = new MessageSettlement(_queue, _leases, poison, function.Name, time);
        _invocations = new MessageInvocations<TMessage>(function, options, host, _leases, settlement, scopes, time, logger, metrics);
        wakeups.Register(function.QueueName, Wake);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Renewal runs until the drain is over (StopAsync), not only while the listener receives.
        _leases.Start();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Stop receiving first: base.StopAsync cancels the polling loop and waits for it.
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
            await _invocations.DrainAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _leases.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Cuts the current idle wait short, or the next one if none is running.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    public override void Dispose()
    {
        _invocations.Dispose();
        base.Dispose();
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

                await _invocations.WaitForRoomAsync(_options.NewBatchThreshold, stoppingToken).ConfigureAwait(false);
                var requestedAt = _time.GetUtcNow();
                var batch = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _host.MessageLease, stoppingToken).ConfigureAwait(false)).Value;
                if (_outage)
                {
                    _outage = false;
                    LogRecovered(_function.QueueName);
                }

                if (batch.Length == 0)
                {
                    await IdleAsync(_backoff.Next(), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                _backoff.Reset();
                foreach (var message in batch)
                {
                    _invocations.Start(message, requestedAt);
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

                if (!await BackOffAfterFailureAsync(ex, stoppingToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
    }

    /// <summary>Waits out the backoff, unless this process sends the queue a message meanwhile (or did since the last receive).</summary>
    private async Task IdleAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        var wake = Volatile.Read(ref _wake);
        if (!wake.Task.IsCompleted)
        {
            try
            {
                await wake.Task.WaitAsync(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The backoff ran out without a wake: poll.
            }
        }

        if (wake.Task.IsCompleted)
        {
            // A fresh signal before the next receive: a send after this point wakes the next wait.
            Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
        }
    }

    /// <summary>Logs a failed storage request (once per outage, then at Debug) and waits out the backoff; false when stopping.</summary>
    private async Task<bool> BackOffAfterFailureAsync(Exception exception, CancellationToken stoppingToken)
    {
        var delay = _backoff.Next();
        if (!_outage)
        {
            _outage = true;
            LogStorageFailure(exception, _function.QueueName, delay);
        }
        else
        {
            LogStorageStillFailing(_function.QueueName, exception.GetType().Name, delay);
        }

        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
