using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Http.Thumbnails;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Thumbnails;

/// <summary>
/// <c>POST /api/images</c> (<see cref="ImageHttp"/>): the image as the body or as the one file of a
/// multipart form. Behind the Functions host, <c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c> refuses a body
/// over the route's limit before it reaches this worker (docs/functions.md).
/// </summary>
public sealed class UploadImage(ImageUploads uploads, CallbackRequests callbacks)
{
    [Function(ImageHttp.UploadFunction)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ImageHttp.UploadRoute)] HttpRequest request, CancellationToken cancellationToken) =>
        ImageHttp.UploadAsync(request, uploads, callbacks, cancellationToken);
}
