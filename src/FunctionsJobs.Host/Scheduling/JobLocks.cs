using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// The singleton lock of a timer function across Host instances: a lease on the blob
/// <c>azure-webjobs-hosts/locks/{hostId}/{function}</c>, held only while a run is in progress.
/// </summary>
public sealed class JobLocks(StorageAccount storage, TimerOptions options, TimeProvider time, ILogger<JobLocks> logger)
{
    private readonly BlobContainerClient _container = storage.Blobs.GetBlobContainerClient(TimerOptions.HostsContainer);

    public TimerOptions Options => options;

    /// <summary>The lock, or null when another run (here or on another instance) holds it.</summary>
    public async Task<JobLock?> TryAcquireAsync(string functionName, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(options.LockBlobName(functionName));
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await lease.AcquireAsync(options.LockPeriod, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new JobLock(lease, functionName, options.LockPeriod, time, logger);
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
            {
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && attempt == 0)
            {
                // First use of this lock (or of the container): create the empty blob, then lease it.
                await CreateLockBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateLockBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another instance created (and maybe leased) it first.
        }
    }
}

/// <summary>
/// A held lock. It renews its lease every third of the lease period; when the lease is taken away
/// (broken, or expired because renewals failed for two thirds of the period) <see cref="Lost"/> fires,
/// well before another instance can acquire it. Disposing releases it.
/// </summary>
public sealed partial class JobLock : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly BlobLeaseClient _lease;
    private readonly string _functionName;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private string? _lostReason;

    internal JobLock(BlobLeaseClient lease, string functionName, TimeSpan period, TimeProvider time, ILogger logger)
    {
        _lease = lease;
        _functionName = functionName;
        _period = period;
        _time = time;
        _logger = logger;
        _renewing = RenewAsync();
    }

    /// <summary>Fires when this instance no longer owns the lock; the run must stop.</summary>
    public CancellationToken Lost => _lost.Token;

    public string? LostReason => Volatile.Read(ref _lostReason);

    public string LeaseId => _lease.LeaseId;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _lease.ReleaseAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (RequestFailedException ex)
            {
                // The lease ends by itself within one period; only the next run waits a little longer.
                LogReleaseFailed(ex, _functionName);
            }
        }

        _lost.Dispose();
        _stop.Dispose();
    }

    private async Task RenewAsync()
    {
        var interval = _period / 3;
        var renewedAt = _time.GetUtcNow();
        var delay = interval;
        try
        {
            while (true)
            {
                await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
                var attemptAt = _time.GetUtcNow();
                try
                {
                    await _lease.RenewAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
                    renewedAt = attemptAt;
                    delay = interval;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    // Broken, or acquired by another instance after it expired: it is not ours any more.
                    await MarkLostAsync($"lost the lock lease ({ex.ErrorCode})").ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRenewFailed(ex, _functionName);
                    if (_time.GetUtcNow() - renewedAt >= _period * 2 / 3)
                    {
                        // Give up while a third of the period is left, before anyone else can take it.
                        await MarkLostAsync($"could not renew the lock lease for {_time.GetUtcNow() - renewedAt:g}").ConfigureAwait(false);
                        return;
                    }

                    delay = RetryDelay;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task MarkLostAsync(string reason)
    {
        Volatile.Write(ref _lostReason, reason);
        LogLost(_functionName, reason);
        await _lost.CancelAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {FunctionName}: {Reason}; cancelling the run")]
    private partial void LogLost(string functionName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {FunctionName}: could not renew the lock lease; retrying")]
    private partial void LogRenewFailed(Exception exception, string functionName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer {FunctionName}: could not release the lock lease; it expires by itself")]
    private partial void LogReleaseFailed(Exception exception, string functionName);
}
