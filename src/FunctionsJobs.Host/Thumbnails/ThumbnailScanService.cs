using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.Host.Thumbnails;

/// <summary>
/// Runs <see cref="ThumbnailScanner"/> every <c>ThumbnailScanInterval</c>, at most once per
/// interval across all Host instances: a scan holds a blob lease (as Functions timers do, under
/// <c>azure-webjobs-hosts/locks</c>), renewed while it runs, and records when it last ran on that
/// blob, so an instance that wakes just after another one scanned skips its turn.
/// </summary>
internal sealed partial class ThumbnailScanService(
    ThumbnailScanner scanner, ThumbnailSettings settings, StorageAccount storage, TimeProvider time, ILogger<ThumbnailScanService> logger)
    : BackgroundService, IHostFunction
{
    public const string FunctionName = "ThumbnailScan";
    private const string LockContainer = "azure-webjobs-hosts";
    private const string LastScanKey = "lastscan";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    private readonly BlobClient _lock = storage.Blobs.GetBlobContainerClient(LockContainer).GetBlobClient($"locks/functionsjobs/{FunctionName}-{settings.ImagesContainer}");

    public string Name => FunctionName;

    public string Trigger => "timerTrigger";

    public string Source => $"every {settings.ScanInterval:c} over container {settings.ImagesContainer}";

    /// <summary>Completed scans of this instance, for tests and operators.</summary>
    public int Completed { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // First pass at start-up: blobs uploaded while no Host ran are picked up without waiting an interval.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogScanFailed(ex, settings.ScanInterval);
            }

            try
            {
                await Task.Delay(settings.ScanInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task<ScanResult?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await EnsureLockBlobAsync(cancellationToken).ConfigureAwait(false);
        var lease = _lock.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            LogBusy();
            return null;
        }

        using var scan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewAsync(lease, scan);
        try
        {
            var properties = await _lock.GetPropertiesAsync(new BlobRequestConditions { LeaseId = lease.LeaseId }, scan.Token).ConfigureAwait(false);
            if (properties.Value.Metadata.TryGetValue(LastScanKey, out var last)
                && long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && time.GetUtcNow() - new DateTimeOffset(ticks, TimeSpan.Zero) < settings.ScanInterval / 2)
            {
                LogRecent();
                return null;
            }

            var result = await scanner.ScanAsync(scan.Token).ConfigureAwait(false);
            await _lock.SetMetadataAsync(
                new Dictionary<string, string> { [LastScanKey] = time.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture) },
                new BlobRequestConditions { LeaseId = lease.LeaseId }, scan.Token).ConfigureAwait(false);
            Completed++;
            return result;
        }
        finally
        {
            await scan.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            try
            {
                await lease.ReleaseAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (RequestFailedException)
            {
                // The lease expires by itself within its duration.
            }
        }
    }

    private async Task EnsureLockBlobAsync(CancellationToken cancellationToken)
    {
        await _lock.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await _lock.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // It exists (maybe leased by another instance right now).
        }
    }

    private async Task RenewAsync(BlobLeaseClient lease, CancellationTokenSource scan)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseDuration / 3, time, scan.Token).ConfigureAwait(false);
                await lease.RenewAsync(cancellationToken: scan.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (scan.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Without the lease another instance may scan too: stop this one.
            LogLeaseLost(ex);
            await scan.CancelAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: scan skipped, another instance holds the scan lease")]
    private partial void LogBusy();

    [LoggerMessage(Level = LogLevel.Information, Message = "Thumbnails: scan skipped, another instance scanned less than half an interval ago")]
    private partial void LogRecent();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: scan failed; next try in {Interval}")]
    private partial void LogScanFailed(Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: lost the scan lease; scan stopped")]
    private partial void LogLeaseLost(Exception exception);
}
