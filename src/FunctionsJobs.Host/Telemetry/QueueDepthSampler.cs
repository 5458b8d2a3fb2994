using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Telemetry;

namespace FunctionsJobs.Host.Telemetry;

/// <summary>
/// Samples every queue's depth and oldest message for the <see cref="QueueDepthGauges"/>: a gauge
/// callback cannot await storage, so the latest sample is what the gauges report. A failed sample
/// keeps the previous one; the listener logs storage outages already. Nothing is sampled while no
/// exporter reads the gauges, so a Host without telemetry makes no storage calls for them.
/// </summary>
internal sealed partial class QueueDepthSampler(
    QueueOverview overview, QueueDepthGauges gauges, QueueDepthSampler.Interval interval, TimeProvider time, ILogger<QueueDepthSampler> logger) : BackgroundService
{
    public sealed record Interval(TimeSpan Value);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval.Value, time);
        do
        {
            if (!gauges.Observed)
            {
                continue;
            }

            try
            {
                gauges.Update(await overview.SampleAsync(stoppingToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSampleFailed(ex.GetType().Name, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue depth sample failed ({ErrorType}: {Error}); the gauges keep the previous sample")]
    private partial void LogSampleFailed(string errorType, string error);
}
