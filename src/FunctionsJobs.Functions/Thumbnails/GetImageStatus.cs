using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary><c>GET /api/images/{id}</c>: status, reason and the thumbnails with their public paths.</summary>
public sealed class GetImageStatus(ImageQueries queries)
{
    [Function(nameof(GetImageStatus))]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "images/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!ImageName.IsValidId(id))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid image id", detail: $"'{ImageName.Printable(id)}' is not an image id.");
        }

        var status = await queries.GetStatusAsync(id, cancellationToken);
        return status is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Image not found", detail: $"No image has id '{id}'.")
            : Results.Json(status, JobJson.Options);
    }
}
