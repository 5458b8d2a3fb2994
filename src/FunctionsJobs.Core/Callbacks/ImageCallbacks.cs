using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// The callbacks of images: an event each time an image's content ends Done or Failed (content
/// written again under the same name by a storage client is a new change, with a new event).
/// </summary>
public sealed class ImageCallbacks(CallbackOutbox outbox)
{
    public const string Kind = "image";

    /// <summary>The content (ETag), the status and whether the source is gone name the change.</summary>
    public static string VersionOf(ImageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return $"{record.SourceETag}/{record.Status}/{(record.SourceDeleted ? "deleted" : "stored")}";
    }

    public static bool IsSameContent(ImageRecord record, string version)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(version);
        return version.StartsWith($"{record.SourceETag}/", StringComparison.Ordinal);
    }

    /// <summary>Stages the event of <paramref name="final"/> (Done or Failed), about to be written; null without a target.</summary>
    public Task<StagedCallback?> StageAsync(ImageRecord final, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(final);
        if (final.Callback is not { } target)
        {
            return Task.FromResult<StagedCallback?>(null);
        }

        var version = VersionOf(final);
        var callbackEvent = CallbackEvent.Of(Kind, final.Id, version, final.Status.ToString(), final.Reason, $"/api/images/{final.Id}", target, final.UpdatedAt);
        return outbox.StageAsync(target, new CallbackResource(Kind, final.Id, version), callbackEvent, cancellationToken);
    }

    public Task ReleaseAsync(StagedCallback? staged) => outbox.ReleaseAsync(staged);
}
