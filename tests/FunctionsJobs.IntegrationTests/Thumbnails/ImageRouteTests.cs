using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>POST /api/images, GET /api/images/{id} and the public thumbnail path, on a real Kestrel and Azurite.</summary>
public sealed class ImageRouteTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_upload_is_accepted_stored_processed_and_its_status_links_every_thumbnail()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var photo = TestImages.Jpeg(1600, 1200);

        using var response = await harness.PostImageAsync(ThumbnailHarness.Body(photo, "image/jpeg"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/images/{id}", body.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/images/{id}", response.Headers.Location?.OriginalString);
        var stored = await harness.Images.GetBlobClient($"{id}.jpg").GetPropertiesAsync();
        Assert.Equal(photo.Length, stored.Value.ContentLength);
        Assert.Equal("image/jpeg", stored.Value.ContentType);

        await harness.WaitForOutcomeAsync(id, "done");
        var status = await GetJsonAsync(harness, $"/api/images/{id}");
        Assert.Equal("Done", status.GetProperty("status").GetString());
        var thumbnails = status.GetProperty("thumbnails").EnumerateArray().ToList();
        Assert.Equal([512, 256, 128], thumbnails.Select(t => t.GetProperty("size").GetInt32()));
        Assert.Equal($"/api/thumbnails/{id}/128.jpg", thumbnails[2].GetProperty("url").GetString());
        Assert.Equal((128, 96), (thumbnails[2].GetProperty("width").GetInt32(), thumbnails[2].GetProperty("height").GetInt32()));

        // Each size is stored under the version folder with its content type and an immutable cache header.
        var version = (await harness.RecordAsync(id)).Version!;
        Assert.Equal([$"{id}/{version}/128.jpg", $"{id}/{version}/256.jpg", $"{id}/{version}/512.jpg"], await harness.ThumbnailBlobsAsync());
        var blob = (await harness.Thumbnails.GetBlobClient($"{id}/{version}/256.jpg").GetPropertiesAsync()).Value;
        Assert.Equal("image/jpeg", blob.ContentType);
        Assert.Equal("public, max-age=31536000, immutable", blob.CacheControl);
        await harness.AssertQueueSettledAsync();
    }

    [Fact]
    public async Task The_public_thumbnail_path_serves_the_current_version_with_content_type_cache_headers_and_etag()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var id = await harness.UploadAsync(TestImages.Png(900, 600), "image/png");
        await harness.WaitForOutcomeAsync(id, "done");

        // Anonymous: thumbnails are public, like a CDN path.
        using var response = await harness.Host.Http.GetAsync($"/api/thumbnails/{id}/256.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=60", response.Headers.CacheControl?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal((256, 171), (TestImages.Inspect(bytes).Width, TestImages.Inspect(bytes).Height));
        var etag = response.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/thumbnails/{id}/256.jpg");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await harness.Host.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await harness.Host.Http.GetAsync($"/api/thumbnails/{id}/999.jpg");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_multipart_form_upload_is_accepted_with_the_extension_of_its_content()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestImages.Webp(400, 300));
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/webp");
        form.Add(file, "file", "holiday.webp");

        using var response = await harness.PostImageAsync(form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.True(await harness.Images.GetBlobClient($"{id}.webp").ExistsAsync());
        await harness.WaitForOutcomeAsync(id, "done");
    }

    [Fact]
    public async Task A_body_over_the_byte_limit_gets_413_before_anything_is_stored()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString, new Dictionary<string, string> { [ThumbnailSettings.MaxBytesSetting] = "100000" });
        var big = TestImages.Jpeg(2000, 1500, quality: 95);
        Assert.True(big.Length > 100_000);

        // Expect: 100-continue, as curl sends for large bodies: the 413 comes before the body is sent at all.
        using var declared = await harness.PostImageAsync(ThumbnailHarness.Body(big, "image/jpeg"), expectContinue: true);
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "limit is 100000 bytes");

        // No Content-Length: the body is counted while it streams in.
        var chunked = new StreamContent(new MemoryStream(big));
        chunked.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        using var request = harness.Host.Request(HttpMethod.Post, "/api/images", TestHost.FunctionKey);
        request.Content = chunked;
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await harness.Host.Http.SendAsync(request);
        await AssertProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "over the limit of 100000 bytes");

        using var form = new MultipartFormDataContent { { new ByteArrayContent(big), "file", "big.jpg" } };
        using var multipart = await harness.PostImageAsync(form, expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, multipart.StatusCode);

        await AssertNothingStoredAsync(harness);
    }

    [Fact]
    public async Task A_text_body_gets_415_and_nothing_is_stored()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);

        using var typed = await harness.PostImageAsync(ThumbnailHarness.Body(Encoding.UTF8.GetBytes("not a photo"), "text/plain"));
        await AssertProblemAsync(typed, HttpStatusCode.UnsupportedMediaType, "text/plain");

        using var disguised = await harness.PostImageAsync(ThumbnailHarness.Body(Encoding.UTF8.GetBytes("not a photo"), "image/jpeg"));
        await AssertProblemAsync(disguised, HttpStatusCode.UnsupportedMediaType, "not an image in a supported format");

        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Jpeg(64, 64)), "file", "notes.txt" } };
        using var badName = await harness.PostImageAsync(form);
        await AssertProblemAsync(badName, HttpStatusCode.UnsupportedMediaType, "notes.txt");

        await AssertNothingStoredAsync(harness);
    }

    [Fact]
    public async Task An_unsupported_format_or_a_mismatched_claim_gets_415_and_an_empty_body_400()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);

        using var tiff = await harness.PostImageAsync(ThumbnailHarness.Body(TestImages.Tiff(64, 64), "image/tiff"));
        await AssertProblemAsync(tiff, HttpStatusCode.UnsupportedMediaType, "image/tiff");

        using var mismatch = await harness.PostImageAsync(ThumbnailHarness.Body(TestImages.Png(64, 64), "image/jpeg"));
        await AssertProblemAsync(mismatch, HttpStatusCode.UnsupportedMediaType, "claims to be JPEG but its content is PNG");

        using var empty = await harness.PostImageAsync(ThumbnailHarness.Body([], "image/jpeg"));
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest, "empty");

        await AssertNothingStoredAsync(harness);
    }

    [Fact]
    public async Task Status_of_an_unknown_or_malformed_id_is_a_problem_and_uploads_need_a_function_key()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);

        await AssertProblemAsync(await SendAsync(harness, "/api/images/nope"), HttpStatusCode.NotFound, "nope");
        await AssertProblemAsync(await SendAsync(harness, "/api/images/a..b"), HttpStatusCode.BadRequest, "not an image id");
        using var anonymous = await harness.Host.Http.PostAsync("/api/images", ThumbnailHarness.Body(TestImages.Jpeg(32, 32), "image/jpeg"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(ThumbnailHarness harness, string path)
    {
        using var request = harness.Host.Request(HttpMethod.Get, path, TestHost.FunctionKey);
        return await harness.Host.Http.SendAsync(request);
    }

    private static async Task<JsonElement> GetJsonAsync(ThumbnailHarness harness, string path)
    {
        using var response = await SendAsync(harness, path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task AssertNothingStoredAsync(ThumbnailHarness harness)
    {
        await foreach (var blob in harness.Images.GetBlobsAsync())
        {
            Assert.Fail($"blob {blob.Name} was stored");
        }

        await foreach (var record in harness.Store.ListAsync(CancellationToken.None))
        {
            Assert.Fail($"record {record.Id} was written");
        }

        Assert.False(await harness.Events.ExistsAsync() && (await harness.Events.PeekMessagesAsync(1)).Value.Length > 0, "an event was queued");
    }
}
