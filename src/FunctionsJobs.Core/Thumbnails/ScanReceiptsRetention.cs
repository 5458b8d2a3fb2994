using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The container scan's receipts, one row per blob version announced, older than
/// <c>RetentionScanReceiptsDays</c>. A receipt goes only once the scan's watermark (less its skew)
/// has passed it as well: a restarted scan counts every blob modified before that as handled, so
/// it never needs those receipts again, and deleting them re-announces nothing.
/// </summary>
public sealed class ScanReceiptsRetention(BlobScanReceipts receipts, ThumbnailSettings settings, IConfiguration configuration) : IRetentionSource
{
    public string Name => "thumbnail-scan-receipts";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(configuration, ThumbnailBlobScanSettings.ReceiptsDaysSetting, ThumbnailBlobScanSettings.DefaultReceiptsDays);

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (await receipts.ReadWatermarkAsync(settings.ImagesContainer, cancellationToken).ConfigureAwait(false) is not { } watermark)
        {
            return 0;
        }

        var handled = watermark - ThumbnailBlobScanner.WatermarkSkew;
        return await receipts.PurgeCompletedAsync(handled < cutoff ? handled : cutoff, progress, cancellationToken).ConfigureAwait(false);
    }
}
