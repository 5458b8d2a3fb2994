using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Thumbnails.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// <c>POST /api/images</c>: the image as the body or as the one file of a multipart form. Size and
/// format are checked before anything is stored (413, 415 problem details); then 202 with
/// <c>{ id, statusUrl }</c>. The same code as the Host's route: ImageUploadHttp.cs, linked from the Host.
/// </summary>
public sealed class UploadImage(ImageUploads uploads)
{
    [Function(nameof(UploadImage))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "images")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ImageUploadHttp.UploadAsync(request, uploads, cancellationToken);
}
