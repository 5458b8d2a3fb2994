using System.Collections.Concurrent;
using FunctionsJobs.Core;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>
/// A message the Host sends to one of its own queues wakes that queue's listener at once instead of
/// after its polling backoff (the WebJobs shared queue watcher); Core's senders say when they sent.
/// </summary>
public sealed class LocalSendTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_message_this_process_sends_wakes_its_listener_at_once_instead_of_after_the_backoff()
    {
        // Time stands still, so the backoff after the listener's first empty poll never ends by itself.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = await QueueHarness.StartAsync<RecordingHandler, TestMessage>(
            proxy.ConnectionString, "wake", configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        await proxy.WaitForAsync(r => r.Method == "GET" && r.Resource.Count == 2 && r.Resource[0] == harness.QueueName && r.Resource[1] == "messages", TimeSpan.FromSeconds(30));

        // Sent elsewhere (another instance), then here: the listener wakes for the local send and takes both.
        await harness.SendAsync(new TestMessage("from-elsewhere", 1));
        await harness.SendAsync(new TestMessage("from-here", 2));
        harness.Host.Services.GetRequiredService<IQueueSendObserver>().Sent(harness.QueueName);

        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 2, TimeSpan.FromSeconds(30));
        Assert.Equal(["from-elsewhere", "from-here"], harness.Probe.Completed.Select(c => c.Payload).Order());
    }

    [Fact]
    public async Task Core_senders_tell_the_observer_after_a_send_with_how_long_the_message_stays_hidden()
    {
        var observer = new RecordingObserver();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["OrdersQueueName"] = AzuriteFixture.NewQueueName("orders"),
            ["ThumbnailEventsQueueName"] = AzuriteFixture.NewQueueName("events"),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IQueueSendObserver>(observer);
        services.AddFunctionsJobsCore(configuration);
        await using var provider = services.BuildServiceProvider();

        var dispatcher = provider.GetRequiredService<IOrderDispatcher>();
        var orders = provider.GetRequiredService<OrdersStorage>().Queue.Name;
        await dispatcher.SendAsync(new OrderMessage("20261123-0000000000000000aaaa"), "20261123-0000000000000000aaaa", CancellationToken.None);
        var events = provider.GetRequiredService<ThumbnailEvents>();
        var blobEvent = BlobEvent.Create(
            "Microsoft.Storage.BlobCreated", new Uri("http://127.0.0.1/devstoreaccount1/images/a.jpg"), "images", "a.jpg", "\"etag\"", 1, "image/jpeg", "PutBlob", DateTimeOffset.UtcNow);
        await events.SendAsync(blobEvent, CancellationToken.None);
        await events.SendAsync(blobEvent, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal([(orders, (TimeSpan?)null), (events.QueueName, null), (events.QueueName, TimeSpan.FromMinutes(1))], observer.Sends);
    }

    private sealed class RecordingObserver : IQueueSendObserver
    {
        private readonly ConcurrentQueue<(string, TimeSpan?)> _sends = new();

        public IEnumerable<(string Queue, TimeSpan? HiddenFor)> Sends => _sends;

        public void Sent(string queueName, TimeSpan? hiddenFor = null) => _sends.Enqueue((queueName, hiddenFor));
    }
}
