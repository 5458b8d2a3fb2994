using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Http.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// The public path <c>GET /api/thumbnails/{id}/{size}.{ext}</c> (<see cref="ImageHttp"/>): the
/// thumbnail of the version the status record points at. Anonymous, as thumbnails are meant to be embedded.
/// </summary>
public sealed class GetThumbnail(ThumbnailSettings settings, ImageQueries queries)
{
    [Function(ImageHttp.ThumbnailFunction)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ImageHttp.ThumbnailRoute)] HttpRequest request,
        string id,
        int size,
        string extension,
        CancellationToken cancellationToken) =>
        ImageHttp.GetThumbnailAsync(request, id, size, extension, settings, queries, cancellationToken);
}
