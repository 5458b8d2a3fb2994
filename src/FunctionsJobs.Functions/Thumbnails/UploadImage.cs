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

        UploadOutcome? refused;
        byte[]? content = null;
        string? contentType = request.ContentType;
        string? fileName = null;
        try
        {
            if (request.HasFormContentType)
            {
                refused = request.ContentLength > uploads.MaxRequestBytes ? uploads.Oversized(null) : null;
                if (refused is null)
                {
                    var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = uploads.MaxBytes, ValueCountLimit = 16 }, cancellationToken);
                    var file = form.Files.Count == 1 ? form.Files[0] : null;
                    refused = file is null
                        ? new UploadOutcome(UploadResult.Empty, Problem: $"The form must carry exactly one file, not {form.Files.Count}.")
                        : uploads.CheckDeclared(file.Length, file.ContentType, file.FileName);
                    if (refused is null && file is not null)
                    {
                        await using var stream = file.OpenReadStream();
                        (content, refused) = await uploads.ReadBodyAsync(stream, cancellationToken);
                        (contentType, fileName) = (file.ContentType, file.FileName);
                    }
                }
            }
            else
            {
                refused = uploads.CheckDeclared(request.ContentLength, request.ContentType, null);
                if (refused is null)
                {
                    (content, refused) = await uploads.ReadBodyAsync(request.Body, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            refused = uploads.Oversized(null);
        }

        var outcome = refused ?? await uploads.UploadAsync(content!, contentType, fileName, cancellationToken);
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
}
