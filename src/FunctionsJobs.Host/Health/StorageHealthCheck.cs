using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FunctionsJobs.Host.Health;

/// <summary>
/// Readiness: the blob, queue and table endpoints of the storage account all answer. The health
/// routes are anonymous, so what they show says only that: the account's name and why it failed
/// go to the log.
/// </summary>
internal sealed partial class StorageHealthCheck(StorageAccount storage, ILogger<StorageHealthCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await Task.WhenAll(
                storage.Blobs.GetBlobContainersAsync(cancellationToken: timeout.Token).AsPages(pageSizeHint: 1).GetAsyncEnumerator(timeout.Token).MoveNextAsync().AsTask(),
                storage.Queues.GetQueuesAsync(cancellationToken: timeout.Token).AsPages(pageSizeHint: 1).GetAsyncEnumerator(timeout.Token).MoveNextAsync().AsTask(),
                storage.Tables.QueryAsync(maxPerPage: 1, cancellationToken: timeout.Token).AsPages(pageSizeHint: 1).GetAsyncEnumerator(timeout.Token).MoveNextAsync().AsTask()).ConfigureAwait(false);
            return HealthCheckResult.Healthy("storage reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(ex, storage.AccountName);
            return HealthCheckResult.Unhealthy("storage unreachable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health: storage account {AccountName} unreachable")]
    private partial void LogUnreachable(Exception exception, string accountName);
}
