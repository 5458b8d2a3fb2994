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
            // The lease runs from when storage grants it, at the latest when the answer arrives; counting
            // from the request keeps every later deadline on the safe side of that.
            var requestedAt = time.GetUtcNow();
            using var deadline = new CallDeadline(options.LockPeriod / 3, time, cancellationToken);
            try
            {
                await lease.AcquireAsync(options.LockPeriod, cancellationToken: deadline.Token).ConfigureAwait(false);
                return new JobLock(lease, functionName, options.LockPeriod, requestedAt, time, logger);
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
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"acquiring the lock of {functionName} took longer than {options.LockPeriod / 3}", ex);
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
/// A held lock. It renews its lease every third of the lease period, each renewal with a deadline of
/// its own, and retries one that failed or did not answer. When the lease is taken away (broken, or
/// acquired by another instance) or a renewal is not confirmed within two thirds of the period after
/// the last confirmed one, <see cref="Lost"/> fires: a third of the period before another instance can
/// acquire it. Disposing releases it.
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
    private volatile bool _abandoned;

    internal JobLock(BlobLeaseClient lease, string functionName, TimeSpan period, DateTimeOffset requestedAt, TimeProvider time, ILogger logger)
    {
        _lease = lease;
        _functionName = functionName;
        _period = period;
        _time = time;
        _logger = logger;
        _renewing = RenewAsync(requestedAt);
    }

    /// <summary>Fires when this instance no longer owns the lock; the run must stop.</summary>
    public CancellationToken Lost => _lost.Token;

    public string? LostReason => Volatile.Read(ref _lostReason);

    public string LeaseId => _lease.LeaseId;

    /// <summary>One storage call on the lease: a sixth of the period, so a renewal can fail and be retried before the lock is given up.</summary>
    internal static TimeSpan CallTimeout(TimeSpan period) => period / 6;

    /// <summary>
    /// Stops renewing without releasing: the lease lapses by itself within one period. For a run that
    /// was abandoned still running, so the lock is not handed over the moment it is given up.
    /// </summary>
    public void Abandon()
    {
        _abandoned = true;
        _stop.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        if (!_lost.IsCancellationRequested && !_abandoned)
        {
            using var deadline = new CallDeadline(CallTimeout(_period), _time);
            try
            {
                await _lease.ReleaseAsync(cancellationToken: deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
            {
                // The lease ends by itself within one period; only the next run waits a little longer.
                LogReleaseFailed(ex, _functionName);
            }
        }

        _lost.Dispose();
        _stop.Dispose();
    }

    private async Task RenewAsync(DateTimeOffset acquiredAt)
    {
        var interval = _period / 3;
        var giveUpAfter = _period * 2 / 3;
        var confirmedAt = acquiredAt;
        var delay = interval;
        try
        {
            while (true)
            {
                await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);

                // The lease runs until (at the earliest) a period after the request of its last
                // confirmed renewal; give it up while a third of that is left, before anyone else can take it.
                var sentAt = _time.GetUtcNow();
                var left = confirmedAt + giveUpAfter - sentAt;
                if (left <= TimeSpan.Zero)
                {
                    await MarkLostAsync($"could not confirm a renewal of the lock lease within {giveUpAfter:g}").ConfigureAwait(false);
                    return;
                }

                var callTimeout = CallTimeout(_period);
                using var deadline = new CallDeadline(left < callTimeout ? left : callTimeout, _time, _stop.Token);
                try
                {
                    await _lease.RenewAsync(cancellationToken: deadline.Token).ConfigureAwait(false);
                    confirmedAt = sentAt;
                    delay = interval;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    // Broken, or acquired by another instance after it expired: it is not ours any more.
                    await MarkLostAsync($"lost the lock lease ({ex.ErrorCode})").ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    // No answer within the deadline, a 5xx, the network: try again while time is left.
                    LogRenewFailed(ex, _functionName);
                    var remaining = confirmedAt + giveUpAfter - _time.GetUtcNow();
                    delay = remaining < RetryDelay ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : RetryDelay;
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
