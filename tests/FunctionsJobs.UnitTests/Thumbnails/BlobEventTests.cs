using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.UnitTests.Thumbnails;

public sealed class BlobEventTests
{
    [Fact]
    public void An_event_grid_blob_created_event_is_read_with_its_blob_and_etag()
    {
        var blobEvent = JsonSerializer.Deserialize<BlobEvent>(EventGridSamples.BlobCreated, JobJson.Options)!;

        Assert.Equal(BlobEvent.BlobCreated, blobEvent.EventType);
        Assert.True(blobEvent.TryGetBlob(out var container, out var name));
        Assert.Equal(("images", "cat.jpg"), (container, name));
        Assert.Equal("0x8D4BCC2E4835CD0", blobEvent.Data!.ETag);
        Assert.Equal(524288, blobEvent.Data.ContentLength);
    }

    [Fact]
    public void An_event_the_host_writes_reads_back_the_same_and_has_the_event_grid_field_names()
    {
        var written = BlobEvent.Create(BlobEvent.BlobCreated, new Uri("http://127.0.0.1:10000/devstoreaccount1/images/a.png"), "images", "a.png", "\"0x1\"", 42, "image/png", "PutBlob", DateTimeOffset.UnixEpoch);

        var json = JsonSerializer.Serialize(written, JobJson.Options);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("/blobServices/default/containers/images/blobs/a.png", document.RootElement.GetProperty("subject").GetString());
        Assert.Equal("\"0x1\"", document.RootElement.GetProperty("data").GetProperty("eTag").GetString());
        Assert.Equal(42, document.RootElement.GetProperty("data").GetProperty("contentLength").GetInt64());
        Assert.Equal(written, JsonSerializer.Deserialize<BlobEvent>(json, JobJson.Options));
    }

    [Theory]
    [InlineData("/blobServices/default/containers/images/blobs/dir/cat.jpg", "images", "dir/cat.jpg")]
    [InlineData("/blobServices/default/containers/images/blobs/../x.jpg", "images", "../x.jpg")]
    public void A_subject_keeps_the_blob_name_as_is_for_the_handler_to_judge(string subject, string container, string name)
    {
        Assert.True(new BlobEvent(subject, BlobEvent.BlobCreated).TryGetBlob(out var c, out var n));
        Assert.Equal((container, name), (c, n));
    }

    [Theory]
    [InlineData("/subscriptions/x")]
    [InlineData("/blobServices/default/containers/images")]
    [InlineData("/blobServices/default/containers//blobs/x.jpg")]
    public void A_subject_that_names_no_blob_is_refused(string subject)
    {
        Assert.False(new BlobEvent(subject, BlobEvent.BlobCreated).TryGetBlob(out _, out _));
    }
}
