using System.Collections.Concurrent;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Queues;

public sealed record TestMessage(string Id, int Value);

/// <summary>Records what handlers saw and lets a test await a count instead of sleeping.</summary>
public sealed class Probe
{
    private readonly ConditionWaiters<Probe> _waiters;

    public Probe()
    {
        _waiters = new ConditionWaiters<Probe>(this);
    }

    public ConcurrentQueue<(string Payload, QueueMessageContext Context)> Started { get; } = new();

    public ConcurrentQueue<(string Payload, QueueMessageContext Context)> Completed { get; } = new();

    public ConcurrentQueue<(string Payload, QueueMessageContext Context)> Cancelled { get; } = new();

    /// <summary>Handlers that block wait on this until the test opens it.</summary>
    public SemaphoreSlim Gate { get; } = new(0);

    public int Running => Started.Count - Completed.Count - Cancelled.Count - Failed;

    public int Failed { get; private set; }

    public ConcurrentQueue<DateTimeOffset> StartedAt { get; } = new();

    public ConcurrentQueue<DateTimeOffset> FailedAt { get; } = new();

    public void OnStarted(string payload, QueueMessageContext context)
    {
        StartedAt.Enqueue(DateTimeOffset.UtcNow);
        Started.Enqueue((payload, context));
        Changed();
    }

    public void OnCompleted(string payload, QueueMessageContext context)
    {
        Completed.Enqueue((payload, context));
        Changed();
    }

    public void OnCancelled(string payload, QueueMessageContext context)
    {
        Cancelled.Enqueue((payload, context));
        Changed();
    }

    public void OnFailed()
    {
        FailedAt.Enqueue(DateTimeOffset.UtcNow);
        _waiters.Change(() => Failed++);
    }

    public Task WaitUntilAsync(Func<Probe, bool> condition, TimeSpan? timeout = null) =>
        _waiters.WaitUntilAsync(condition, timeout ?? TimeSpan.FromSeconds(60));

    private void Changed() => _waiters.Change();
}

public sealed class RecordingHandler(Probe probe) : IQueueHandler<TestMessage>
{
    public Task HandleAsync(TestMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message.Id, context);
        probe.OnCompleted(message.Id, context);
        return Task.CompletedTask;
    }
}

public sealed class TextHandler(Probe probe) : IQueueHandler<string>
{
    public Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message, context);
        probe.OnCompleted(message, context);
        return Task.CompletedTask;
    }
}

/// <summary>Fails every delivery of a message whose Value is negative; handles the rest.</summary>
public sealed class FailingHandler(Probe probe) : IQueueHandler<TestMessage>
{
    public Task HandleAsync(TestMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message.Id, context);
        if (message.Value < 0)
        {
            probe.OnFailed();
            throw new InvalidOperationException($"refusing {message.Id}");
        }

        probe.OnCompleted(message.Id, context);
        return Task.CompletedTask;
    }
}

/// <summary>Fails the first delivery of every message, handles the second.</summary>
public sealed class FailOnceHandler(Probe probe) : IQueueHandler<TestMessage>
{
    public Task HandleAsync(TestMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message.Id, context);
        if (context.DequeueCount == 1)
        {
            probe.OnFailed();
            throw new InvalidOperationException("first delivery fails");
        }

        probe.OnCompleted(message.Id, context);
        return Task.CompletedTask;
    }
}

/// <summary>Waits on the probe's gate, honouring cancellation: a handler that is still running at shutdown.</summary>
public sealed class BlockingHandler(Probe probe) : IQueueHandler<TestMessage>
{
    public async Task HandleAsync(TestMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message.Id, context);
        try
        {
            await probe.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.OnCancelled(message.Id, context);
            throw;
        }

        probe.OnCompleted(message.Id, context);
    }
}

/// <summary>Blocks on the probe's gate without its token for every message whose Value is negative: a handler that ignores functionTimeout.</summary>
public sealed class IgnoringHandler(Probe probe) : IQueueHandler<TestMessage>
{
    public async Task HandleAsync(TestMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message.Id, context);
        if (message.Value < 0)
        {
            await probe.Gate.WaitAsync(CancellationToken.None);
        }

        probe.OnCompleted(message.Id, context);
    }
}

/// <summary>Waits on the probe's gate, then fails: a delivery that fails after its lease needed renewing.</summary>
public sealed class BlockThenFailHandler(Probe probe) : IQueueHandler<TestMessage>
{
    public async Task HandleAsync(TestMessage message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        probe.OnStarted(message.Id, context);
        await probe.Gate.WaitAsync(cancellationToken);
        probe.OnFailed();
        throw new InvalidOperationException($"refusing {message.Id}");
    }
}
