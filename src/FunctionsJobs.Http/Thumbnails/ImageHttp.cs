using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Http.Callbacks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace FunctionsJobs.Http.Thumbnails;

/// <summary>
/// The HTTP face of Thumbnails for both runtimes: the upload (raw body or the one file of a
/// multipart form), an image's status, and the public thumbnail path.
/// </summary>
public static class ImageHttp
{
    public const string UploadFunction = "UploadImage";
    public const string StatusFunction = "GetImageStatus";
    public const string ThumbnailFunction = "GetThumbnail";

    /// <summary><c>POST</c>: upload an image.</summary>
    public const string UploadRoute = "images";

    /// <summary><c>GET</c>: an image's status and thumbnails.</summary>
    public const string StatusRoute = "images/{id}";

    /// <summary><c>GET</c>, anonymous: a thumbnail of the current version, meant to be embedded.</summary>
    public const string ThumbnailRoute = "thumbnails/{id}/{size:int}.{extension}";

    /// <summary><c>POST</c>: the image; <c>Callback-Url</c> or <c>Reply-To</c> (<see cref="CallbackHeaders"/>) to be told when it is Done or Failed.</summary>
    public static async Task<IResult> UploadAsync(HttpRequest request, ImageUploads uploads, CallbackRequests callbacks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(uploads);
        var (callback, callbackProblem) = await CallbackHeaders.ReadAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
        if (callbackProblem is not null)
        {
            return callbackProblem;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxRequestBytes;
        }

        UploadOutcome outcome;
        try
        {
            outcome = request.HasFormContentType
                ? await UploadFormFileAsync(request, uploads, callback, cancellationToken).ConfigureAwait(false)
                : await uploads.UploadAsync(request.Body, request.ContentLength, request.ContentType, null, callback, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // Kestrel's count (MaxRequestBodySize) or the multipart reader's limit tripped first: the same answer.
            outcome = uploads.Oversized(null);
        }

        var statusUrl = $"{ApiRoutes.OnHost(UploadRoute)}/{outcome.Id}";
        return outcome.Result switch
        {
            UploadResult.Accepted => Results.Accepted(statusUrl, new { id = outcome.Id, statusUrl }),
            UploadResult.TooLarge => Problems.Of(StatusCodes.Status413PayloadTooLarge, "Image too large", outcome.Problem),
            UploadResult.Unsupported => Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported image", outcome.Problem),
            _ => Problems.Of(StatusCodes.Status400BadRequest, "No image", outcome.Problem),
        };
    }

    /// <summary><c>GET</c>: the image's status; with <c>Prefer: wait=N</c> (<see cref="LongPoll"/>) once it changes, or after N seconds.</summary>
    public static async Task<IResult> GetStatusAsync(HttpRequest request, string id, ImageQueries queries, StatusWatch<ImageRecord> watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(watch);
        if (!ImageName.IsValidId(id))
        {
            return InvalidId(id);
        }

        if (LongPoll.Read(request, out var wait) is { } preferProblem)
        {
            return preferProblem;
        }

        var record = await LongPoll.ReadAsync(request, id, wait, watch, ct => queries.GetRecordAsync(id, ct), cancellationToken).ConfigureAwait(false);
        return record is null
            ? Problems.Of(StatusCodes.Status404NotFound, "Image not found", $"No image has id '{id}'.")
            : Results.Json(queries.ViewOf(record), JobJson.Options);
    }

    public static async Task<IResult> GetThumbnailAsync(
        HttpRequest request, string id, int size, string extension, ThumbnailSettings settings, ImageQueries queries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(queries);
        if (!ImageName.IsValidId(id))
        {
            return InvalidId(id);
        }

        var thumbnail = string.Equals(extension, settings.Format.Extension(), StringComparison.OrdinalIgnoreCase)
            ? await queries.OpenThumbnailAsync(id, size, cancellationToken).ConfigureAwait(false)
            : null;
        if (thumbnail is null)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "Thumbnail not found", $"Image '{id}' has no {size}.{Problems.Printable(extension)} thumbnail (yet).");
        }

        request.HttpContext.Response.Headers.CacheControl = ImageQueries.PublicCacheControl;
        request.HttpContext.Response.RegisterForDispose(thumbnail);
        return Results.Stream(thumbnail.Content, thumbnail.ContentType, lastModified: thumbnail.LastModified, entityTag: EntityTagHeaderValue.Parse(thumbnail.ETag));
    }

    private static IResult InvalidId(string id) => Problems.Of(
        StatusCodes.Status400BadRequest, "Invalid image id", $"'{Problems.Printable(id)}' is not an image id (1-{ImageName.MaxIdLength} letters, digits, '-' or '_').");

    private static async Task<UploadOutcome> UploadFormFileAsync(HttpRequest request, ImageUploads uploads, CallbackTarget? callback, CancellationToken cancellationToken)
    {
        if (request.ContentLength > uploads.MaxRequestBytes)
        {
            return uploads.Oversized(null);
        }

        var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = uploads.MaxBytes, ValueCountLimit = 16 }, cancellationToken).ConfigureAwait(false);
        if (form.Files.Count != 1)
        {
            return new UploadOutcome(UploadResult.Empty, Problem: $"The form must carry exactly one file, not {form.Files.Count}.");
        }

        var file = form.Files[0];
        var stream = file.OpenReadStream();
        await using (stream.ConfigureAwait(false))
        {
            return await uploads.UploadAsync(stream, file.Length, file.ContentType, file.FileName, callback, cancellationToken).ConfigureAwait(false);
        }
    }
}
