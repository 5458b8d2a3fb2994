namespace FunctionsJobs.Testing;

/// <summary>
/// Lets a test await a condition over state that handlers change, instead of sleeping: the owner
/// makes each change through <see cref="Change"/>, which completes every wait whose condition now holds.
/// </summary>
public sealed class ConditionWaiters<TState>(TState state)
{
    private readonly List<(Func<TState, bool> Condition, TaskCompletionSource Signal)> _waiters = [];

    public Task WaitUntilAsync(Func<TState, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (condition(state))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, signal));
        }

        return signal.Task.WaitAsync(timeout);
    }

    /// <summary>Applies <paramref name="change"/> (if any) and wakes the waits it satisfied, atomically with respect to new waits.</summary>
    public void Change(Action? change = null)
    {
        lock (_waiters)
        {
            change?.Invoke();
            foreach (var waiter in _waiters.Where(w => w.Condition(state)).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
