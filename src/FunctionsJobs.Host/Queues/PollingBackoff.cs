namespace FunctionsJobs.Host.Queues;

/// <summary>
/// The randomized exponential backoff of the Functions queue listener: an empty poll doubles the
/// wait from 100 ms up to <c>maxPollingInterval</c>; a message resets it. The jitter keeps many
/// instances from polling in lockstep.
/// </summary>
internal sealed class PollingBackoff(TimeSpan minimum, TimeSpan maximum)
{
    private TimeSpan _current = TimeSpan.Zero;

    public TimeSpan Current => _current;

    public TimeSpan Next()
    {
        var doubled = _current == TimeSpan.Zero ? minimum : _current * 2;
        var target = doubled > maximum ? maximum : doubled;
        var jittered = target * (0.8 + (0.2 * Random.Shared.NextDouble()));
        _current = jittered < minimum ? minimum : jittered;
        if (target == maximum)
        {
            // Once at the ceiling, wait the full interval: the idle cost is bounded by it.
            _current = maximum;
        }

        return _current;
    }

    public void Reset() => _current = TimeSpan.Zero;
}
