using FunctionsJobs.Core.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsJobs.Thumbnails.Http;

/// <summary>
/// <c>POST /api/images</c> as HTTP, shared word for word by the Host's route and the Functions app's
/// <c>UploadImage</c> trigger (the Functions project links this file): the image as the raw body or
/// as the one file of a multipart form, handed to <see cref="ImageUploads"/>; 202 or a problem out.
/// </summary>
public static class ImageUploadHttp
{
    public static async Task<IResult> UploadAsync(HttpRequest request, ImageUploads uploads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(uploads);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxRequestBytes;
        }

        UploadOutcome outcome;
        try
        {
            outcome = request.HasFormContentType
                ? await UploadFormFileAsync(request, uploads, cancellationToken).ConfigureAwait(false)
                : await uploads.UploadAsync(request.Body, request.ContentLength, request.ContentType, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // Kestrel's count (MaxRequestBodySize) or the multipart reader's limit tripped first: the same answer.
            outcome = uploads.Oversized(null);
        }

        return outcome.Result switch
        {
            UploadResult.Accepted => Results.Accepted($"/api/images/{outcome.Id}", new { id = outcome.Id, statusUrl = $"/api/images/{outcome.Id}" }),
            UploadResult.TooLarge => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Image too large", detail: outcome.Problem),
            UploadResult.Unsupported => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported image", detail: outcome.Problem),
            _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No image", detail: outcome.Problem),
        };
    }

    private static async Task<UploadOutcome> UploadFormFileAsync(HttpRequest request, ImageUploads uploads, CancellationToken cancellationToken)
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
            return await uploads.UploadAsync(stream, file.Length, file.ContentType, file.FileName, cancellationToken).ConfigureAwait(false);
        }
    }
}
