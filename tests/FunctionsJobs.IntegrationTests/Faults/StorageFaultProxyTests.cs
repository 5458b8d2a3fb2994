using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Faults;

/// <summary>The fault proxy itself: storage works through it unchanged, and a fault reaches only the requests it names.</summary>
public sealed class StorageFaultProxyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Blob_queue_and_table_requests_pass_through_unchanged()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        var name = AzuriteFixture.NewQueueName("proxy");

        var container = new BlobContainerClient(proxy.ConnectionString, name);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("a.txt").UploadAsync(BinaryData.FromString("hello"), overwrite: true);
        Assert.Equal("hello", (await new BlobClient(azurite.ConnectionString, name, "a.txt").DownloadContentAsync()).Value.Content.ToString());

        var queue = new QueueClient(proxy.ConnectionString, name);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("message");
        var received = (await new QueueClient(azurite.ConnectionString, name).ReceiveMessageAsync()).Value;
        Assert.Equal("message", received.Body.ToString());

        var table = new TableClient(proxy.ConnectionString, "Proxy" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["Value"] = 7 });
        Assert.Equal(7, (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("Value"));

        Assert.Contains(proxy.Seen, r => r.Service == StorageService.Table && r.Method == "GET");
        Assert.Contains(proxy.Seen, r => r.IsSendTo(name));
    }

    [Fact]
    public async Task An_injected_failure_reaches_the_requests_it_matches_as_many_times_as_asked()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        var name = AzuriteFixture.NewQueueName("fault");
        var queue = new QueueClient(proxy.ConnectionString, name, new QueueClientOptions { Retry = { MaxRetries = 0 } });
        await queue.CreateIfNotExistsAsync();

        using (proxy.Inject(r => r.IsSendTo(name), StorageFault.Fail(503, "ServerBusy"), times: 1))
        {
            var refused = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendMessageAsync("first"));
            Assert.Equal(503, refused.Status);
            Assert.Equal("ServerBusy", refused.ErrorCode);
            await queue.SendMessageAsync("second");
        }

        var left = (await queue.ReceiveMessagesAsync(32)).Value;
        Assert.Equal("second", Assert.Single(left).Body.ToString());
    }
}
