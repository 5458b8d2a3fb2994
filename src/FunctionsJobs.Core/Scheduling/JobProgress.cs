namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// The progress a job reports. Reporting is cheap (memory only); <see cref="JobRunner"/> writes the
/// latest values to the run history every <c>JobProgressInterval</c> and at the end.
/// </summary>
public sealed class JobProgress
{
    private readonly Lock _gate = new();
    private long _items;
    private double? _percent;

    public long ItemsProcessed
    {
        get
        {
            lock (_gate)
            {
                return _items;
            }
        }
    }

    public double? Percent
    {
        get
        {
            lock (_gate)
            {
                return _percent;
            }
        }
    }

    /// <summary>Adds <paramref name="items"/> to the count and, if given, sets the percent done (0 to 100).</summary>
    public void Add(long items, double? percent = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        lock (_gate)
        {
            _items += items;
            if (percent is { } value)
            {
                _percent = Math.Clamp(value, 0, 100);
            }
        }
    }

    /// <summary>Sets both values, e.g. when a resumed run restores the count from its checkpoint.</summary>
    public void Set(long items, double? percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        lock (_gate)
        {
            _items = items;
            _percent = percent is { } value ? Math.Clamp(value, 0, 100) : null;
        }
    }

    internal (long Items, double? Percent) Snapshot()
    {
        lock (_gate)
        {
            return (_items, _percent);
        }
    }
}
