using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Functions;

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
    ThumbnailHandler handler, ThumbnailEvents events, ThumbnailSettings settings, HostRuntimeOptions hostOptions, TimeProvider time, ILogger<InProcessUploadThumbnails> logger)
    : IUploadHandoff, IHostedService, IDisposable
{
    private readonly SemaphoreSlim _room = new(settings.Concurrency, settings.Concurrency);
    private readonly InFlightWork _work = new(time);
    private readonly TimeSpan _eventDelay = settings.UploadEventDelay;

    public async ValueTask<IUploadReservation?> ReserveAsync(CancellationToken cancellationToken)
    {
        if (_work.IsStopping)
        {
            return null;
        }

        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Reservation(this);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        _work.StopAsync(hostOptions.DrainTimeout, draining: null, LogDrainTimedOut, endWithin: null, cancellationToken);

    public void Dispose()
    {
        _room.Dispose();
        _work.Dispose();
    }

    private void Start(StoredImage image, SendReceipt? fallbackEvent)
    {
        _work.Begin();
        _ = Task.Run(() => RunAsync(image, fallbackEvent));
    }

    private async Task RunAsync(StoredImage image, SendReceipt? fallbackEvent)
    {
        try
        {
            await handler.HandleUploadAsync(image, _work.Cancelled).ConfigureAwait(false);
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
            _work.End();
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
