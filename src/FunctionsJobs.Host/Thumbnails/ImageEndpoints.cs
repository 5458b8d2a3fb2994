using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace FunctionsJobs.Host.Thumbnails;

/// <summary>
/// <c>POST /api/images</c>, <c>GET /api/images/{id}</c> and the public thumbnail path
/// <c>GET /api/thumbnails/{id}/{size}.{ext}</c>, the same routes and names as the Functions app.
/// </summary>
internal static class ImageEndpoints
{
    public static void MapImageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/images", UploadAsync).WithFunctionName("UploadImage").DisableAntiforgery();
        endpoints.MapGet("/api/images/{id}", GetStatusAsync).WithFunctionName("GetImageStatus");
        endpoints.MapGet("/api/thumbnails/{id}/{size:int}.{extension}", GetThumbnailAsync).WithFunctionName("GetThumbnail")
            .RequireKey(AuthorizationLevel.Anonymous);
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, ImageUploads uploads, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxRequestBytes;
        }

        try
        {
            var outcome = request.HasFormContentType
                ? await UploadFormFileAsync(request, uploads, cancellationToken)
                : await uploads.UploadAsync(request.Body, request.ContentLength, request.ContentType, null, cancellationToken);
            return outcome.Result == UploadResult.Accepted
                ? Results.Accepted($"/api/images/{outcome.Id}", new { id = outcome.Id, statusUrl = $"/api/images/{outcome.Id}" })
                : Refused(outcome);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // Kestrel's count (MaxRequestBodySize) or the multipart reader's limit tripped first: the same answer.
            return Refused(uploads.Oversized(null));
        }
    }

    private static async Task<UploadOutcome> UploadFormFileAsync(HttpRequest request, ImageUploads uploads, CancellationToken cancellationToken)
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

    private static IResult Refused(UploadOutcome outcome) => outcome.Result switch
    {
        UploadResult.TooLarge => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Image too large", detail: outcome.Problem),
        UploadResult.Unsupported => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported image", detail: outcome.Problem),
        _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No image", detail: outcome.Problem),
    };

    private static async Task<IResult> GetStatusAsync(string id, ImageQueries queries, CancellationToken cancellationToken)
    {
        if (!ImageName.IsValidId(id))
        {
            return InvalidId(id);
        }

        var status = await queries.GetStatusAsync(id, cancellationToken);
        return status is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Image not found", detail: $"No image has id '{id}'.")
            : Results.Json(status, JobJson.Options);
    }

    private static async Task<IResult> GetThumbnailAsync(
        string id, int size, string extension, HttpContext context, ThumbnailSettings settings, ImageQueries queries, CancellationToken cancellationToken)
    {
        if (!ImageName.IsValidId(id))
        {
            return InvalidId(id);
        }

        var thumbnail = string.Equals(extension, settings.Format.Extension(), StringComparison.OrdinalIgnoreCase)
            ? await queries.OpenThumbnailAsync(id, size, cancellationToken)
            : null;
        if (thumbnail is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Thumbnail not found", detail: $"Image '{id}' has no {size}.{extension} thumbnail (yet).");
        }

        context.Response.Headers.CacheControl = ImageQueries.PublicCacheControl;
        context.Response.RegisterForDispose(thumbnail);
        return Results.Stream(thumbnail.Content, thumbnail.ContentType, lastModified: thumbnail.LastModified, entityTag: EntityTagHeaderValue.Parse(thumbnail.ETag));
    }

    private static IResult InvalidId(string id) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid image id", detail: $"'{ImageName.Printable(id)}' is not an image id (1-{ImageName.MaxIdLength} letters, digits, '-' or '_').");
}
