using FunctionsJobs.Core.Thumbnails;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// The container scan the Host runs as its blob trigger, on a timer (<c>%ThumbnailBlobScanSchedule%</c>,
/// a few seconds locally): under <c>func start</c> with Azurite, which has no Event Grid, a blob
/// written by any storage client is announced on the events queue within seconds. In Azure,
/// <see cref="ThumbnailBlobTrigger"/> (Event Grid) is the front door and Bicep sets
/// <c>AzureWebJobs.ThumbnailBlobScan.Disabled</c>. Not a polling <c>[BlobTrigger]</c>: Flex
/// Consumption supports only the Event Grid source. The scanner is a singleton that remembers what
/// it has seen between invocations; the timer keeps it to one instance and one pass at a time.
/// </summary>
public sealed class ThumbnailBlobScan(ThumbnailBlobScanner scanner)
{
    [Function(ThumbnailBlobScanSettings.FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + ThumbnailBlobScanSettings.ScheduleSetting + "%", UseMonitor = false)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        scanner.ScanAsync(cancellationToken);
}
