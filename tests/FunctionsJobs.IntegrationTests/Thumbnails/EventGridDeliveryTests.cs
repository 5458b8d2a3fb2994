using System.Text;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>
/// What the Event Grid subscription of deploy/keda/blob-events.bicep delivers to the events queue, byte
/// for byte (the event-schema JSON of one event, base64-encoded), handled by the real Host with its
/// scan off, as it runs there.
/// </summary>
public sealed class EventGridDeliveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task BlobCreated_and_BlobDeleted_as_Event_Grid_queues_them_make_and_remove_the_thumbnails()
    {
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var raw = new QueueClient(azurite.ConnectionString, harness.Settings.EventsQueue);
        var stored = await harness.PutBlobAsync("pushed.jpg", TestImages.Jpeg(64, 48));

        await raw.SendMessageAsync(AsEventGridWritesIt("Microsoft.Storage.BlobCreated", "PutBlob", harness, $"\"eTag\": \"{stored.ETag.ToString().Trim('"')}\","));
        await harness.WaitForOutcomeAsync("pushed", ") done:");
        await harness.Images.DeleteBlobAsync("pushed.jpg");
        await raw.SendMessageAsync(AsEventGridWritesIt("Microsoft.Storage.BlobDeleted", "DeleteBlob", harness, string.Empty));
        await harness.WaitForOutcomeAsync("pushed", "was deleted;");

        Assert.True((await harness.RecordAsync("pushed")).SourceDeleted);
        Assert.Empty(await harness.ThumbnailBlobsAsync());
        await harness.AssertQueueSettledAsync();
    }

    private static string AsEventGridWritesIt(string eventType, string api, ThumbnailHarness harness, string eTagProperty)
    {
        var json = $$"""
            {
              "topic": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
              "subject": "/blobServices/default/containers/{{harness.Settings.ImagesContainer}}/blobs/pushed.jpg",
              "eventType": "{{eventType}}",
              "id": "{{Guid.NewGuid()}}",
              "data": {
                "api": "{{api}}",
                "requestId": "{{Guid.NewGuid()}}",
                {{eTagProperty}}
                "contentType": "image/jpeg",
                "blobType": "BlockBlob",
                "url": "{{harness.Images.GetBlobClient("pushed.jpg").Uri}}",
                "sequencer": "00000000000004420000000000028963",
                "storageDiagnostics": { "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0" }
              },
              "dataVersion": "",
              "metadataVersion": "1",
              "eventTime": "{{DateTimeOffset.UtcNow:O}}"
            }
            """;
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }
}
