namespace FunctionsJobs.Host.Functions;

/// <summary>
/// The work one part of the Host has in flight (a queue's messages, the timer runs, in-process
/// uploads) and the shutdown they all share: stop taking new work, let what runs finish within the
/// drain timeout, then cancel what is left and wait for it to end. A count, not a set of tasks, so
/// that starting and ending a piece of work costs two interlocked operations.
/// </summary>
internal sealed class InFlightWork(TimeProvider time) : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private TaskCompletionSource? _idle;
    private int _count;
    private volatile bool _stopping;

    /// <summary>Fires once the drain timed out: work still running must end now.</summary>
    public CancellationToken Cancelled => _cancel.Token;

    /// <summary>Set when the shutdown began: take no new work.</summary>
    public bool IsStopping => _stopping;

    public int Count => Volatile.Read(ref _count);

    public void Begin() => Interlocked.Increment(ref _count);

    /// <summary>Ends one piece of work that <see cref="Begin"/> counted in; call it exactly once per piece.</summary>
    public void End()
    {
        if (Interlocked.Decrement(ref _count) == 0 && _stopping)
        {
            Volatile.Read(ref _idle)?.TrySetResult();
        }
    }

    /// <summary>
    /// Stops taking work, drains for <paramref name="drainTimeout"/>, then cancels <see cref="Cancelled"/>
    /// and waits for the rest to end, at most <paramref name="endWithin"/> (null: until
    /// <paramref name="cancellationToken"/>, the host's own shutdown deadline).
    /// </summary>
    /// <param name="draining">Told how many pieces are still running when the drain starts (not called when none are).</param>
    /// <param name="cancelling">Told how many are still running when the drain timed out.</param>
    public async Task StopAsync(TimeSpan drainTimeout, Action<int>? draining, Action<int>? cancelling, TimeSpan? endWithin, CancellationToken cancellationToken)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _idle, idle);
        _stopping = true;
        var running = Count;
        if (running == 0)
        {
            idle.TrySetResult();
        }
        else
        {
            draining?.Invoke(running);
            if (await EndsWithinAsync(idle.Task, drainTimeout, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            cancelling?.Invoke(Count);
        }

        await _cancel.CancelAsync().ConfigureAwait(false);
        await EndsWithinAsync(idle.Task, endWithin ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _cancel.Dispose();

    private async Task<bool> EndsWithinAsync(Task idle, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await idle.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }
}
