using System.Diagnostics.CodeAnalysis;

namespace FunctionsJobs.Core.Thumbnails;

/// <summary>
/// A source blob name split into its image id and extension: <c>images/{id}.{ext}</c>. The id
/// names the status record and the thumbnail folder, so it is held to a strict shape (letters,
/// digits, '-' and '_', at most 128 characters): no '..', no slashes, no control characters, no
/// second dot. <c>cat.jpg</c> and <c>cat.png</c> are the same image id; the newer blob wins.
/// </summary>
public sealed record ImageName(string Id, string Extension)
{
    public const int MaxIdLength = 128;

    public string BlobName => $"{Id}.{Extension}";

    public static bool TryParse(string? blobName, [NotNullWhen(true)] out ImageName? name, [NotNullWhen(false)] out string? reason)
    {
        name = null;
        if (string.IsNullOrEmpty(blobName))
        {
            reason = "the blob name is empty";
            return false;
        }

        if (blobName.Any(char.IsControl))
        {
            reason = "the blob name contains control characters";
            return false;
        }

        if (blobName.Contains("..", StringComparison.Ordinal))
        {
            reason = "the blob name contains '..'";
            return false;
        }

        if (blobName.Contains('/', StringComparison.Ordinal) || blobName.Contains('\\', StringComparison.Ordinal))
        {
            reason = "the blob name contains a slash: images must sit at the top of the container";
            return false;
        }

        var dot = blobName.LastIndexOf('.');
        if (dot <= 0)
        {
            reason = $"the blob name has no extension; expected one of {string.Join(", ", SourceImageFormat.Extensions)}";
            return false;
        }

        var id = blobName[..dot];
        var extension = blobName[(dot + 1)..];
        if (SourceImageFormat.FromExtension(extension) is null)
        {
            reason = $"the extension '.{Printable(extension)}' is not supported; expected one of {string.Join(", ", SourceImageFormat.Extensions)}";
            return false;
        }

        if (!IsValidId(id))
        {
            reason = $"the image id '{Printable(id)}' must be 1-{MaxIdLength} letters, digits, '-' or '_'";
            return false;
        }

        name = new ImageName(id, extension);
        reason = null;
        return true;
    }

    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A hostile name shown in a reason or a log line: control characters escaped, length capped.</summary>
    public static string Printable(string value)
    {
        var shown = value.Length > 200 ? value[..200] + "..." : value;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
