namespace FunctionsJobs.Core.Storage;

/// <summary>
/// A deadline for one storage call that holds a lease (a message's visibility, a blob lease): the
/// call is cancelled when <c>after</c> has passed on <see cref="TimeProvider"/> or when the caller's
/// own token fires, whichever comes first. Without it a call waits out the SDK's network timeout
/// (100 s, then retries), long after the lease it protects has run out.
/// </summary>
public sealed class CallDeadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource? _linked;

    public CallDeadline(TimeSpan after, TimeProvider time, CancellationToken cancellationToken = default)
    {
        _timer = new CancellationTokenSource(after > TimeSpan.Zero ? after : TimeSpan.Zero, time);
        _linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_timer.Token, cancellationToken) : null;
    }

    public CancellationToken Token => _linked?.Token ?? _timer.Token;

    /// <summary>True when the deadline itself, not the caller's token, ended the call.</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked?.Dispose();
        _timer.Dispose();
    }
}
