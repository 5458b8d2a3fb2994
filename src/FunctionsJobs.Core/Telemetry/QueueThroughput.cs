using System.Diagnostics.Metrics;

namespace FunctionsJobs.Core.Telemetry;

/// <summary>One function's messages per minute over the last hour, oldest minute first.</summary>
public sealed record FunctionThroughput(string Function, IReadOnlyList<long> Handled, IReadOnlyList<long> Failed, IReadOnlyList<long> Poisoned);

/// <summary>The last hour of <see cref="QueueFunctionMetrics.MessagesInstrument"/>, per minute.</summary>
/// <param name="Since">The start of the oldest minute.</param>
public sealed record ThroughputView(DateTimeOffset Since, int MinuteCount, IReadOnlyList<FunctionThroughput> Functions);

/// <summary>
/// Reads the queue functions' message counter in-process (a <see cref="MeterListener"/>), so the
/// dashboard's chart shows the very numbers the metrics export, without a second count in the
/// handlers. It listens only to the meter of its own service provider's <see cref="IMeterFactory"/>,
/// so two hosts in one process (tests) keep apart. It sees this process only: other instances report
/// through the exported metrics.
/// </summary>
public sealed class QueueThroughput : IDisposable
{
    public const int Minutes = 60;

    private readonly TimeProvider _time;
    private readonly MeterListener _listener;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    public QueueThroughput(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == FunctionsJobsTelemetry.Name && instrument.Name == QueueFunctionMetrics.MessagesInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Add(value, tags));
        _listener.Start();
    }

    public ThroughputView Read()
    {
        var minute = CurrentMinute();
        var since = DateTimeOffset.FromUnixTimeSeconds((minute - Minutes + 1) * 60);
        lock (_gate)
        {
            return new ThroughputView(
                since,
                Minutes,
                [.. _series.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new FunctionThroughput(s.Key, s.Value.Window(0, minute), s.Value.Window(1, minute), s.Value.Window(2, minute)))]);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? function = null;
        var row = -1;
        foreach (var tag in tags)
        {
            if (tag.Key == "function")
            {
                function = tag.Value as string;
            }
            else if (tag.Key == "outcome")
            {
                row = (tag.Value as string) switch
                {
                    "handled" => 0,
                    "failed" => 1,
                    "poisoned" => 2,
                    _ => -1,
                };
            }
        }

        if (function is null || row < 0)
        {
            return;
        }

        var minute = CurrentMinute();
        lock (_gate)
        {
            if (!_series.TryGetValue(function, out var series))
            {
                _series[function] = series = new Series();
            }

            series.Add(row, minute, value);
        }
    }

    private long CurrentMinute() => _time.GetUtcNow().ToUnixTimeSeconds() / 60;

    /// <summary>A ring of <see cref="Minutes"/> buckets per outcome; a bucket is reset when its minute comes round again.</summary>
    private sealed class Series
    {
        private readonly long[,] _counts = new long[3, Minutes];
        private readonly long[] _minuteOf = new long[Minutes];

        public void Add(int row, long minute, long value)
        {
            var slot = (int)(minute % Minutes);
            if (_minuteOf[slot] != minute)
            {
                _minuteOf[slot] = minute;
                for (var r = 0; r < 3; r++)
                {
                    _counts[r, slot] = 0;
                }
            }

            _counts[row, slot] += value;
        }

        public long[] Window(int row, long now)
        {
            var window = new long[Minutes];
            for (var i = 0; i < Minutes; i++)
            {
                var minute = now - Minutes + 1 + i;
                var slot = (int)(minute % Minutes);
                window[i] = _minuteOf[slot] == minute ? _counts[row, slot] : 0;
            }

            return window;
        }
    }
}
