using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Http.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary><c>GET /api/images/{id}</c>: status, reason and the thumbnails with their public paths (<see cref="ImageHttp"/>).</summary>
public sealed class GetImageStatus(ImageQueries queries, StatusWatch<ImageRecord> watch)
{
    [Function(ImageHttp.StatusFunction)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ImageHttp.StatusRoute)] HttpRequest request, string id, CancellationToken cancellationToken) =>
        ImageHttp.GetStatusAsync(request, id, queries, watch, cancellationToken);
}
