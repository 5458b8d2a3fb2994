namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// Bounds how many images this process holds and decodes at once (<see cref="ThumbnailSettings.Concurrency"/>),
/// whatever the queue's batch size: memory stays flat under a burst, and the cores are not oversubscribed.
/// </summary>
public sealed class ImageDecodeSlots(ThumbnailSettings settings) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(settings.Concurrency, settings.Concurrency);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
