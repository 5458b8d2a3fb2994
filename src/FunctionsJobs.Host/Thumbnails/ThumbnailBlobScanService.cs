using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.Host.Thumbnails;

/// <summary>
/// The Host's blob trigger on the images container: <see cref="ThumbnailBlobScanner"/> pass after
/// pass, with the queue listener's adaptive polling. A pass that finds something new resets the
/// wait to <c>ThumbnailBlobScanInterval</c>; idle passes double it up to
/// <c>ThumbnailBlobScanMaxInterval</c>, and so does a storage outage, from which it resumes by
/// itself. Every instance scans; the receipts make each blob announced once. Where Event Grid
/// delivers blob events to the events queue (deploy/), <c>AzureWebJobs.ThumbnailBlobTrigger.Disabled</c>
/// switches it off.
/// </summary>
internal sealed partial class ThumbnailBlobScanService(
    ThumbnailBlobScanner scanner, ThumbnailSettings settings, TimeProvider time, ILogger<ThumbnailBlobScanService> logger, bool disabled)
    : BackgroundService, IHostFunction
{
    public string Name => ThumbnailBlobScanSettings.HostFunctionName;

    public string Trigger => "blobTrigger";

    public string Source => disabled
        ? $"{settings.ImagesContainer} (container scan disabled: AzureWebJobs.{Name}.Disabled)"
        : $"{settings.ImagesContainer} (container scan every {settings.ScanInterval:c}, up to {settings.ScanMaxInterval:c} when idle)";

    public IReadOnlyList<string> Settings => [ThumbnailSettings.ImagesContainerSetting];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (disabled)
        {
            LogDisabled(Name, settings.ImagesContainer);
            return;
        }

        LogScanning(Name, settings.ImagesContainer, settings.ScanInterval, settings.ScanMaxInterval);
        var backoff = new PollingBackoff(settings.ScanInterval, settings.ScanMaxInterval);
        var outage = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pass = await scanner.ScanAsync(stoppingToken).ConfigureAwait(false);
                if (outage)
                {
                    outage = false;
                    LogRecovered(settings.ImagesContainer);
                }

                if (pass.Changed > 0)
                {
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (!outage)
                {
                    outage = true;
                    LogScanFailed(ex, settings.ImagesContainer);
                }
                else
                {
                    LogStillFailing(settings.ImagesContainer, ex.GetType().Name);
                }
            }

            try
            {
                await Task.Delay(backoff.Next(), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName} scanning container {Container} (every {Interval}, up to {MaxInterval} when idle)")]
    private partial void LogScanning(string functionName, string container, TimeSpan interval, TimeSpan maxInterval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName} is disabled: container {Container} is not scanned (its blob events come from Event Grid)")]
    private partial void LogDisabled(string functionName, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {Container}: scan failed; retrying with backoff")]
    private partial void LogScanFailed(Exception exception, string container);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Container {Container}: scan still failing ({ErrorType})")]
    private partial void LogStillFailing(string container, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Container}: storage reachable again, scanning resumed")]
    private partial void LogRecovered(string container);
}
