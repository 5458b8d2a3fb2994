namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Tries in flight per receiver (scheme, host and port) in this process. A receiver that is slow or
/// down holds at most <see cref="CallbackSettings.MaxConcurrentPerHost"/> of the queue's workers;
/// its further events are put back for a moment instead of waiting, so other receivers' events
/// are not stuck behind it.
/// </summary>
public sealed class ReceiverSlots(CallbackSettings settings)
{
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.OrdinalIgnoreCase);

    public IDisposable? TryEnter(string url)
    {
        var key = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}" : url;
        lock (_inFlight)
        {
            var count = _inFlight.GetValueOrDefault(key);
            if (count >= settings.MaxConcurrentPerHost)
            {
                return null;
            }

            _inFlight[key] = count + 1;
        }

        return new Slot(this, key);
    }

    private void Exit(string key)
    {
        lock (_inFlight)
        {
            if (--_inFlight[key] == 0)
            {
                _inFlight.Remove(key);
            }
        }
    }

    private sealed class Slot(ReceiverSlots owner, string key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Exit(key);
            }
        }
    }
}
