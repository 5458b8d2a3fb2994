using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// "Telemetry on" for the throughput phases: the OpenTelemetry SDK as the Host registers it with an
/// exporter (every span, metric and log record collected, batched and handed to the exporter), but an
/// exporter that drops what it gets, so the figure is the Host's cost and not a collector's network.
/// </summary>
internal static class BenchTelemetry
{
    public static void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddProcessor(new BatchActivityExportProcessor(new Discarding<Activity>())))
            .WithMetrics(metrics => metrics.AddReader(new PeriodicExportingMetricReader(new Discarding<Metric>(), exportIntervalMilliseconds: 1000)))
            .WithLogging(logging => logging.AddProcessor(new BatchLogRecordExportProcessor(new Discarding<LogRecord>())));

    private sealed class Discarding<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch)
        {
            foreach (var item in batch)
            {
                GC.KeepAlive(item);
            }

            return ExportResult.Success;
        }
    }
}
