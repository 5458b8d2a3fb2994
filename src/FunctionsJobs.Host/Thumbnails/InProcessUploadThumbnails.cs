using System.Collections.Concurrent;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.Host.Thumbnails;

/// <summary>
/// The Host makes an upload's thumbnails from the bytes the upload route already holds: no second
/// trip of the image through storage (properties, download) and no queue round trip. At most
/// <c>ThumbnailConcurrency</c> images at once; an upload waits for room with its body held by the
/// route (whose own limit bounds those), so memory stays flat under a burst. The upload's event is
/// queued hidden for <c>ThumbnailUploadEventDelay</c> and deleted once the handler finished: if the
/// process dies first, the event appears and a listener does the work. On shutdown the running ones
/// get the drain timeout, then are cancelled (their events stay).
/// </summary>
internal sealed partial class InProcessUploadThumbnails(
    ThumbnailHandler handler, ThumbnailEvents events, ThumbnailSettings settings, HostRuntimeOptions hostOptions, ILogger<InProcessUploadThumbnails> logger)
    : IUploadHandoff, IHostedService, IDisposable
{
    private readonly SemaphoreSlim _room = new(settings.Concurrency, settings.Concurrency);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private readonly TimeSpan _eventDelay = settings.UploadEventDelay;

    public async ValueTask<IUploadReservation?> ReserveAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return null;
        }

        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Reservation(this);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(hostOptions.DrainTimeout);
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogDrainTimedOut(_running.Count);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Keys).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _room.Dispose();
        _stopping.Dispose();
    }

    private void Start(StoredImage image, SendReceipt? fallbackEvent)
    {
        var running = Task.Run(() => RunAsync(image, fallbackEvent));
        _running.TryAdd(running, true);
        _ = running.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync(StoredImage image, SendReceipt? fallbackEvent)
    {
        try
        {
            await handler.HandleUploadAsync(image, _stopping.Token).ConfigureAwait(false);
            if (fallbackEvent is not null)
            {
                // Finished (done, failed or superseded): the event has nothing left to do. If a listener
                // received it meanwhile, it finds the record final and does no work.
                await events.TryDeleteAsync(fallbackEvent, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogLeftToEvent(ex, image.BlobName, settings.EventsQueue);
        }
        finally
        {
            _room.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: in-process work on {BlobName} did not finish; its event on {QueueName} will do it")]
    private partial void LogLeftToEvent(Exception exception, string blobName, string queueName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: {Count} uploads still in progress after the drain timeout; cancelled, their events will do them")]
    private partial void LogDrainTimedOut(int count);

    private sealed class Reservation(InProcessUploadThumbnails owner) : IUploadReservation
    {
        private int _used;

        public TimeSpan EventDelay => owner._eventDelay;

        public void Start(StoredImage image, SendReceipt? fallbackEvent)
        {
            if (Interlocked.Exchange(ref _used, 1) == 0)
            {
                owner.Start(image, fallbackEvent);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _used, 1) == 0)
            {
                owner._room.Release();
            }
        }
    }
}
