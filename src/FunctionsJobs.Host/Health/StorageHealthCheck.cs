using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FunctionsJobs.Host.Health;

/// <summary>Readiness: the blob, queue and table endpoints of the storage account all answer.</summary>
internal sealed class StorageHealthCheck(StorageAccount storage) : IHealthCheck
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
            return HealthCheckResult.Healthy($"storage account {storage.AccountName} reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"storage account {storage.AccountName} unreachable: {ex.GetType().Name}", ex);
        }
    }
}
