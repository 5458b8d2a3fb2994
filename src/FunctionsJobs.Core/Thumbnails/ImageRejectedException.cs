namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// The source image can never become thumbnails (empty, not an image, too large, corrupt): the
/// handler records the reason as status Failed and completes the message instead of retrying.
/// </summary>
public sealed class ImageRejectedException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    public string Reason => Message;
}
