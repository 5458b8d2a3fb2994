using System.Globalization;
using System.Text.Json;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Functions.Tests.Thumbnails;

/// <summary>Under <c>func start</c>, too, the Functions host refuses an upload over the route's limit before the worker sees it.</summary>
public sealed class UploadLimitTests
{
    [Fact]
    public void The_local_sample_sets_the_host_s_body_limit_to_the_upload_route_s()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");

        var maxBytes = long.Parse(values.GetProperty(ThumbnailSettings.MaxBytesSetting).GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(ImageUploads.RequestBytesFor(maxBytes), long.Parse(values.GetProperty("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT").GetString()!, CultureInfo.InvariantCulture));
    }
}
