using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Http;
using FunctionsJobs.Thumbnails.Http;
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
        endpoints.MapPost("/api/images", ImageUploadHttp.UploadAsync).WithFunctionName("UploadImage").DisableAntiforgery();
        endpoints.MapGet("/api/images/{id}", GetStatusAsync).WithFunctionName("GetImageStatus");
        endpoints.MapGet("/api/thumbnails/{id}/{size:int}.{extension}", GetThumbnailAsync).WithFunctionName("GetThumbnail")
            .RequireKey(AuthorizationLevel.Anonymous);
    }

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
