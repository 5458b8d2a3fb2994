using Azure;
using Azure.Storage.Queues.Models;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>An image the upload route has just stored, its bytes still in memory, with what storage answered.</summary>
/// <param name="Pending">The Pending record the upload wrote (with its row ETag), so the handler need not read it back.</param>
public sealed record StoredImage(string BlobName, byte[] Content, ETag ETag, DateTimeOffset LastModified, ImageRecord? Pending);

/// <summary>
/// Lets a runtime that keeps running after it answers (the Host) make an upload's thumbnails from the
/// bytes the upload already holds, instead of downloading them again through the events queue. The
/// upload's event is still queued first, hidden for <see cref="IUploadReservation.EventDelay"/>: if
/// the process dies before the thumbnails are made, the event appears and the queue does the work.
/// The Functions app answers and may be frozen, so it keeps the default: no handoff.
/// </summary>
public interface IUploadHandoff
{
    /// <summary>Waits for room for one more image; null when this runtime makes no thumbnails in-process (or is stopping).</summary>
    ValueTask<IUploadReservation?> ReserveAsync(CancellationToken cancellationToken);
}

/// <summary>Room for one image; disposing it without <see cref="Start"/> gives the room back.</summary>
public interface IUploadReservation : IDisposable
{
    /// <summary>How long the upload's event stays hidden: longer than the in-process work takes.</summary>
    TimeSpan EventDelay { get; }

    /// <summary>Makes the thumbnails in the background; deletes <paramref name="fallbackEvent"/> once the handler finished.</summary>
    void Start(StoredImage image, SendReceipt? fallbackEvent);
}

/// <summary>No in-process work: every upload goes through its event.</summary>
internal sealed class NoUploadHandoff : IUploadHandoff
{
    public ValueTask<IUploadReservation?> ReserveAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IUploadReservation?>(null);
}
