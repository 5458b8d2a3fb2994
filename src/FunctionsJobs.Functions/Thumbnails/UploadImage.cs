using FunctionsJobs.Core.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// <c>POST /api/images</c>: the image as the body or as the one file of a multipart form. Size and
/// format are checked before anything is stored (413, 415 problem details); then 202 with
/// <c>{ id, statusUrl }</c>. The same steps as the Host's route, through the same Core service.
/// </summary>
public sealed class UploadImage(ImageUploads uploads)
{
    [Function(nameof(UploadImage))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "images")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxRequestBytes;
        }

        UploadOutcome outcome;
        try
        {
            outcome = request.HasFormContentType
                ? await UploadFormFileAsync(request, cancellationToken)
                : await uploads.UploadAsync(request.Body, request.ContentLength, request.ContentType, null, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            outcome = uploads.Oversized(null);
        }

        if (outcome.Result == UploadResult.Accepted)
        {
            var statusUrl = $"/api/images/{outcome.Id}";
            return new AcceptedResult(statusUrl, new { id = outcome.Id, statusUrl });
        }

        var status = outcome.Result switch
        {
            UploadResult.TooLarge => StatusCodes.Status413PayloadTooLarge,
            UploadResult.Unsupported => StatusCodes.Status415UnsupportedMediaType,
            _ => StatusCodes.Status400BadRequest,
        };
        return new ObjectResult(new ProblemDetails { Status = status, Title = "Upload refused", Detail = outcome.Problem })
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };
    }

    private async Task<UploadOutcome> UploadFormFileAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > uploads.MaxRequestBytes)
        {
            return uploads.Oversized(null);
        }

        var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = uploads.MaxBytes, ValueCountLimit = 16 }, cancellationToken);
        if (form.Files.Count != 1)
        {
            return new UploadOutcome(UploadResult.Empty, Problem: $"The form must carry exactly one file, not {form.Files.Count}.");
        }

        var file = form.Files[0];
        await using var stream = file.OpenReadStream();
        return await uploads.UploadAsync(stream, file.Length, file.ContentType, file.FileName, cancellationToken);
    }
}
