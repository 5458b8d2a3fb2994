namespace FunctionsJobs.UnitTests.Thumbnails;

/// <summary>Blob events as Event Grid writes them (event schema), one event per storage-queue message.</summary>
internal static class EventGridSamples
{
    // As Event Grid delivers a BlobCreated event to a storage queue subscription (event schema).
    public const string BlobCreated = """
        {
          "topic": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/photos",
          "subject": "/blobServices/default/containers/images/blobs/cat.jpg",
          "eventType": "Microsoft.Storage.BlobCreated",
          "id": "831e1650-001e-001b-66ab-eeb76e069631",
          "data": {
            "api": "PutBlob",
            "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
            "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
            "eTag": "0x8D4BCC2E4835CD0",
            "contentType": "image/jpeg",
            "contentLength": 524288,
            "blobType": "BlockBlob",
            "url": "https://photos.blob.core.windows.net/images/cat.jpg",
            "sequencer": "00000000000004420000000000028963",
            "storageDiagnostics": { "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0" }
          },
          "dataVersion": "",
          "metadataVersion": "1",
          "eventTime": "2017-06-26T18:41:00.9584103Z"
        }
        """;

    public const string BlobDeleted = """
        {
          "topic": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/photos",
          "subject": "/blobServices/default/containers/images/blobs/cat.jpg",
          "eventType": "Microsoft.Storage.BlobDeleted",
          "id": "831e1650-001e-001b-66ab-eeb76e06a000",
          "data": {
            "api": "DeleteBlob",
            "requestId": "831e1650-001e-001b-66ab-eeb76e000001",
            "contentType": "image/jpeg",
            "blobType": "BlockBlob",
            "url": "https://photos.blob.core.windows.net/images/cat.jpg",
            "sequencer": "0000000000000281000000000002F5CA",
            "storageDiagnostics": { "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0" }
          },
          "dataVersion": "",
          "metadataVersion": "1",
          "eventTime": "2017-11-07T20:09:22.5674003Z"
        }
        """;
}
