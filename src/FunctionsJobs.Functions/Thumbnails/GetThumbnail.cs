using FunctionsJobs.Core.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// The public path <c>GET /api/thumbnails/{id}/{size}.{ext}</c>: streams the thumbnail of the
/// version the status record points at, so a reader never gets sizes of two contents. Anonymous,
/// as thumbnails are meant to be embedded.
/// </summary>
public sealed class GetThumbnail(ThumbnailSettings settings, ImageQueries queries)
{
    [Function(nameof(GetThumbnail))]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "thumbnails/{id}/{size:int}.{extension}")] HttpRequest request,
        string id,
        int size,
        string extension,
        CancellationToken cancellationToken)
    {
        var thumbnail = ImageName.IsValidId(id) && string.Equals(extension, settings.Format.Extension(), StringComparison.OrdinalIgnoreCase)
            ? await queries.OpenThumbnailAsync(id, size, cancellationToken)
            : null;
        if (thumbnail is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Thumbnail not found", detail: $"Image '{ImageName.Printable(id)}' has no {size}.{ImageName.Printable(extension)} thumbnail (yet).");
        }

        request.HttpContext.Response.Headers.CacheControl = ImageQueries.PublicCacheControl;
        request.HttpContext.Response.RegisterForDispose(thumbnail);
        return Results.Stream(thumbnail.Content, thumbnail.ContentType, lastModified: thumbnail.LastModified, entityTag: EntityTagHeaderValue.Parse(thumbnail.ETag));
    }
}
