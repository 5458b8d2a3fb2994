using FunctionsJobs.Core.Queues;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The queue side of the thumbnail job: a <c>Microsoft.Storage.BlobCreated</c> (or <c>BlobDeleted</c>)
/// event in Event Grid shape becomes a <see cref="BlobNotice"/> for <see cref="ThumbnailHandler"/>.
/// Events it cannot use are logged and completed: retrying them could never help.
/// </summary>
public sealed partial class ThumbnailEventHandler(ThumbnailHandler handler, ILogger<ThumbnailEventHandler> logger) : IQueueHandler<BlobEvent>
{
    public async Task HandleAsync(BlobEvent message, QueueMessageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        if (message.EventType is not (BlobEvent.BlobCreated or BlobEvent.BlobDeleted))
        {
            LogSkipped(context.MessageId, ImageName.Printable(message.EventType), "not a BlobCreated or BlobDeleted event");
            return;
        }

        if (!message.TryGetBlob(out var container, out var name))
        {
            LogSkipped(context.MessageId, message.EventType, $"subject '{ImageName.Printable(message.Subject)}' does not name a blob");
            return;
        }

        // A BlobDeleted event's ETag names content that is gone: it must not match a Done record and skip the clean-up.
        var eTag = message.EventType == BlobEvent.BlobCreated ? message.Data?.ETag : null;
        var verify = string.Equals(message.Data?.Api, ThumbnailReconciliationSettings.EventApi, StringComparison.Ordinal);
        await handler.HandleAsync(new BlobNotice(container, name, eTag, verify), cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnails: event message {MessageId} ({EventType}) skipped: {Reason}")]
    private partial void LogSkipped(string messageId, string eventType, string reason);
}
