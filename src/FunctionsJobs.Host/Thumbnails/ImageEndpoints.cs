using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Http;
using FunctionsJobs.Http;
using FunctionsJobs.Http.Thumbnails;

namespace FunctionsJobs.Host.Thumbnails;

/// <summary>The image routes on the Host: the answers of <see cref="ImageHttp"/>, under the names of the Functions app's twins.</summary>
internal static class ImageEndpoints
{
    public static void MapImageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ApiRoutes.OnHost(ImageHttp.UploadRoute), ImageHttp.UploadAsync).WithFunctionName(ImageHttp.UploadFunction).DisableAntiforgery();
        endpoints.MapGet(ApiRoutes.OnHost(ImageHttp.StatusRoute), ImageHttp.GetStatusAsync).WithFunctionName(ImageHttp.StatusFunction);
        endpoints.MapGet(ApiRoutes.OnHost(ImageHttp.ThumbnailRoute), ImageHttp.GetThumbnailAsync).WithFunctionName(ImageHttp.ThumbnailFunction)
            .RequireKey(AuthorizationLevel.Anonymous);
    }
}
