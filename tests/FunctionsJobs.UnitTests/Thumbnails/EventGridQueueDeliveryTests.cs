using System.Text;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.UnitTests.Thumbnails;

/// <summary>
/// An Event Grid subscription with a storage-queue endpoint writes each event as one message, its
/// JSON base64-encoded (as the Functions queue trigger reads it); the Host's listener decodes with
/// host.json's <c>messageEncoding: base64</c>. These pin that the two agree.
/// </summary>
public sealed class EventGridQueueDeliveryTests
{
    private static BinaryData AsEventGridWritesIt(string json) => BinaryData.FromString(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_BlobCreated_event_as_Event_Grid_queues_it_decodes_to_its_blob_and_etag()
    {
        var ok = QueueMessageDecoder.TryDecode<BlobEvent>(AsEventGridWritesIt(EventGridSamples.BlobCreated), QueueMessageEncoding.Base64, out var blobEvent, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(BlobEvent.BlobCreated, blobEvent!.EventType);
        Assert.True(blobEvent.TryGetBlob(out var container, out var name));
        Assert.Equal(("images", "cat.jpg"), (container, name));
        Assert.Equal("0x8D4BCC2E4835CD0", blobEvent.Data!.ETag);
    }

    [Fact]
    public void A_BlobDeleted_event_as_Event_Grid_queues_it_decodes_without_an_etag()
    {
        var ok = QueueMessageDecoder.TryDecode<BlobEvent>(AsEventGridWritesIt(EventGridSamples.BlobDeleted), QueueMessageEncoding.Base64, out var blobEvent, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(BlobEvent.BlobDeleted, blobEvent!.EventType);
        Assert.True(blobEvent.TryGetBlob(out _, out var name));
        Assert.Equal("cat.jpg", name);
        Assert.Null(blobEvent.Data!.ETag);
    }

    [Fact]
    public void Plain_JSON_as_Event_Grid_wrote_it_before_it_encoded_messages_is_refused_with_the_reason()
    {
        var ok = QueueMessageDecoder.TryDecode<BlobEvent>(BinaryData.FromString(EventGridSamples.BlobCreated), QueueMessageEncoding.Base64, out _, out var reason);

        Assert.False(ok);
        Assert.Contains("not base64", reason, StringComparison.Ordinal);
    }
}
