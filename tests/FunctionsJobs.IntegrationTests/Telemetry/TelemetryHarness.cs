using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionsJobs.IntegrationTests.Telemetry;

/// <summary>
/// The OpenTelemetry SDK added to a test Host with in-memory exporters, as an app would add it with
/// OTLP: the Host's own registration supplies the sources (FunctionsJobs, ASP.NET Core).
/// Spans are exported as they end; metrics when <see cref="FlushMetrics"/> collects them.
/// </summary>
internal sealed class TelemetryHarness
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private IServiceProvider? _services;

    public void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics));

    public void Attach(IServiceProvider services) => _services = services;

    /// <summary>
    /// The spans exported so far. The exporter appends from the threads that end spans; a copy taken
    /// while it appends may miss the newest or see an empty slot, which the waiting tests look past.
    /// </summary>
    public IReadOnlyList<Activity> Spans => [.. _spans.ToArray().Where(s => s is not null)];

    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => [.. Spans.Where(s => s.TraceId == traceId)];

    public IReadOnlyList<Metric> FlushMetrics()
    {
        var provider = _services!.GetRequiredService<MeterProvider>();
        lock (_metrics)
        {
            _metrics.Clear();
        }

        Assert.True(provider.ForceFlush(10_000));
        lock (_metrics)
        {
            return [.. _metrics];
        }
    }

    /// <summary>Each data point of the metric named <paramref name="name"/>, with its tags.</summary>
    public static List<(Dictionary<string, object?> Tags, MetricPoint Point)> Points(IEnumerable<Metric> metrics, string name)
    {
        var points = new List<(Dictionary<string, object?>, MetricPoint)>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                points.Add((tags, point));
            }
        }

        return points;
    }
}
