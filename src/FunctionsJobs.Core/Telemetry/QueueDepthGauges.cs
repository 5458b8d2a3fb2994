using System.Diagnostics.Metrics;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Core.Telemetry;

/// <summary>
/// Queue depth and the age of the oldest message as observable gauges. Reading a queue is a storage
/// call, and a gauge callback must not block, so the gauges report the latest sample that a runtime
/// takes on its own schedule (the Host's QueueDepthSampler) through <see cref="Update"/>.
/// </summary>
public sealed class QueueDepthGauges
{
    public const string DepthInstrument = "functionsjobs.queue.depth";
    public const string OldestAgeInstrument = "functionsjobs.queue.oldest_message.age";

    private readonly ObservableGauge<long> _depth;
    private readonly ObservableGauge<double> _age;
    private volatile IReadOnlyList<QueueState> _latest = [];

    public QueueDepthGauges(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(FunctionsJobsTelemetry.Name);
        _depth = meter.CreateObservableGauge(DepthInstrument, ReadDepths, "{message}", "Approximate number of messages in a queue (poison queues included), at the last sample.");
        _age = meter.CreateObservableGauge(OldestAgeInstrument, ReadAges, "s", "Age of the oldest visible message of a queue, at the last sample; absent when the queue is empty.");
    }

    /// <summary>Whether a metrics listener (an exporter) reads the gauges: without one, sampling storage would be wasted.</summary>
    public bool Observed => _depth.Enabled || _age.Enabled;

    public void Update(IReadOnlyList<QueueState> queues) => _latest = queues;

    private IEnumerable<Measurement<long>> ReadDepths()
    {
        foreach (var queue in _latest)
        {
            yield return new Measurement<long>(queue.ApproximateMessageCount, new KeyValuePair<string, object?>("queue", queue.Name));
        }
    }

    private IEnumerable<Measurement<double>> ReadAges()
    {
        foreach (var queue in _latest)
        {
            if (queue.OldestMessageAge is { } age)
            {
                yield return new Measurement<double>(age.TotalSeconds, new KeyValuePair<string, object?>("queue", queue.Name));
            }
        }
    }
}
