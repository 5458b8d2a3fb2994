using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>The Functions queue-trigger semantics of the Host, against a real Azurite.</summary>
public sealed class QueueTriggerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string> FastRetries = new()
    {
        ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3",
    };

    [Fact]
    public async Task Handles_a_base64_json_message_with_its_delivery_context_and_deletes_it()
    {
        await using var harness = await QueueHarness.StartAsync<RecordingHandler, TestMessage>(azurite.ConnectionString, "basic");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var sent = await harness.Base64.SendMessageAsync(JsonSerializer.Serialize(new TestMessage("m1", 7), JobJson.Options));

        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);

        var (payload, context) = Assert.Single(harness.Probe.Completed);
        Assert.Equal("m1", payload);
        Assert.Equal(sent.Value.MessageId, context.MessageId);
        Assert.Equal(1, context.DequeueCount);
        Assert.Equal(harness.QueueName, context.QueueName);
        Assert.NotNull(context.InsertedOn);
        Assert.True(context.InsertedOn >= before);
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Raw) == 0, "message deleted");
    }

    [Fact]
    public async Task A_message_written_by_the_shared_storage_clients_is_the_base64_json_Functions_reads()
    {
        await using var harness = await QueueHarness.StartAsync<RecordingHandler, TestMessage>(azurite.ConnectionString, "interop");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build();
        var account = StorageAccount.FromConfiguration(config);
        var json = JsonSerializer.Serialize(new TestMessage("from-core", 1), JobJson.Options);

        // On the wire, what the Functions queue extension expects: base64 of the UTF-8 JSON.
        var unwatched = account.Queues.GetQueueClient(AzuriteFixture.NewQueueName("wire"));
        await unwatched.CreateIfNotExistsAsync();
        await unwatched.SendMessageAsync(json);
        var stored = Assert.Single((await account.RawQueues.GetQueueClient(unwatched.Name).PeekMessagesAsync(1)).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), stored.Body.ToString());

        await account.Queues.GetQueueClient(harness.QueueName).SendMessageAsync(json);
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        Assert.Equal("from-core", Assert.Single(harness.Probe.Completed).Payload);
    }

    [Fact]
    public async Task Fetches_batchSize_and_a_new_batch_only_when_in_flight_work_drops_to_newBatchThreshold()
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "4",
            ["AzureFunctionsJobHost:extensions:queues:newBatchThreshold"] = "2",
        };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(azurite.ConnectionString, "batch", settings, async queue =>
        {
            for (var i = 0; i < 10; i++)
            {
                await queue.SendMessageAsync(Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage($"b{i}", i), JobJson.Options)));
            }
        });

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 4);
        Assert.Equal(6, (await harness.Raw.PeekMessagesAsync(32)).Value.Length);

        // Two finish: in-flight drops to the threshold, so exactly one more batch of 4 is fetched.
        harness.Probe.Gate.Release(2);
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 8);
        Assert.Equal(2, (await harness.Raw.PeekMessagesAsync(32)).Value.Length);
        Assert.Equal(6, harness.Probe.Running);

        harness.Probe.Gate.Release(100);
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 10);
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Raw) == 0, "all deleted");
    }

    [Fact]
    public async Task A_handler_that_always_throws_sends_its_message_to_poison_after_maxDequeueCount_while_others_flow()
    {
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(azurite.ConnectionString, "fails", FastRetries);
        var bad = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage("bad", -1), JobJson.Options));
        await harness.Raw.SendMessageAsync(bad);
        for (var i = 0; i < 5; i++)
        {
            await harness.SendAsync(new TestMessage($"good{i}", i));
        }

        await harness.Probe.WaitUntilAsync(p => p.Failed == 3 && p.Completed.Count == 5);
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1, "poison message");

        var poisoned = Assert.Single(await harness.PoisonMessagesAsync());
        Assert.Equal(bad, poisoned.Body.ToString());
        Assert.Equal(3, harness.Probe.Started.Count(s => s.Payload == "bad"));
        Assert.Equal([1L, 2L, 3L], harness.Probe.Started.Where(s => s.Payload == "bad").Select(s => s.Context.DequeueCount).Order());
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Raw) == 0, "source queue empty");

        var peek = await harness.PeekPoisonAsync();
        var reason = Assert.Single(peek).GetProperty("reason").GetString();
        Assert.Contains("delivery 3 of 3", reason, StringComparison.Ordinal);
        Assert.Contains("refusing bad", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_poison_at_once_with_the_reason_logged_and_the_listener_keeps_serving()
    {
        await using var harness = await QueueHarness.StartAsync<RecordingHandler, TestMessage>(azurite.ConnectionString, "notb64");
        await harness.Raw.SendMessageAsync("this is {not} base64!");
        await harness.SendAsync(new TestMessage("after", 1));

        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1, "poison message");

        Assert.Equal("this is {not} base64!", Assert.Single(await harness.PoisonMessagesAsync()).Body.ToString());
        Assert.DoesNotContain(harness.Probe.Started, s => s.Payload != "after");
        var logged = await harness.Host.Logs.WaitForAsync(e => e.Message.Contains("cannot be decoded", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains("base64", logged.Message, StringComparison.Ordinal);
        Assert.Equal(harness.QueueName, logged.Fields["QueueName"]);
        Assert.Contains("base64", Assert.Single(await harness.PeekPoisonAsync()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"id\":\"x\"}", "not valid JSON")]
    [InlineData("null", "JSON null")]
    public async Task A_message_that_is_not_valid_json_for_its_handler_goes_to_poison_with_the_reason(string json, string expectedReason)
    {
        await using var harness = await QueueHarness.StartAsync<RecordingHandler, TestMessage>(azurite.ConnectionString, "badjson");
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        await harness.Raw.SendMessageAsync(body);
        await harness.SendAsync(new TestMessage("after", 1));

        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1, "poison message");

        Assert.Equal(body, Assert.Single(await harness.PoisonMessagesAsync()).Body.ToString());
        Assert.Single(harness.Probe.Started);
        var reason = Assert.Single(await harness.PeekPoisonAsync()).GetProperty("reason").GetString();
        Assert.Contains(expectedReason, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_delivered_more_often_than_maxDequeueCount_without_a_recorded_failure_goes_to_poison_unseen()
    {
        // Each receive counts as a delivery, as when a process dies while handling the message.
        await using var harness = await QueueHarness.StartAsync<RecordingHandler, TestMessage>(azurite.ConnectionString, "crashed", FastRetries, async queue =>
        {
            await queue.SendMessageAsync(Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage("crashy", 1), JobJson.Options)));
            for (var i = 0; i < 3; i++)
            {
                var received = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
                await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero);
            }
        });

        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1, "poison message");
        Assert.Empty(harness.Probe.Started);
        Assert.Contains("exceeds maxDequeueCount 3", Assert.Single(await harness.PeekPoisonAsync()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_message_stays_invisible_for_visibilityTimeout_before_its_retry()
    {
        var settings = new Dictionary<string, string> { ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:02" };
        await using var harness = await QueueHarness.StartAsync<FailOnceHandler, TestMessage>(azurite.ConnectionString, "vis", settings);
        await harness.SendAsync(new TestMessage("retry-me", 1));

        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);

        var starts = harness.Probe.Started.Select(s => s.Context).ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal(2, starts[1].DequeueCount);
        var waited = harness.Probe.StartedAt.Last() - Assert.Single(harness.Probe.FailedAt);
        Assert.True(waited >= TimeSpan.FromSeconds(1.9), $"retried after {waited}");
    }

    [Fact]
    public async Task A_handler_running_longer_than_its_message_lease_keeps_the_message_hidden_by_renewing_it()
    {
        var settings = new Dictionary<string, string> { ["FunctionsJobs:QueueMessageLease"] = "00:00:04" };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(azurite.ConnectionString, "renew", settings);
        await harness.SendAsync(new TestMessage("long", 1));
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);

        // What is under test is time passing: two and a half leases, after which an unrenewed
        // message would have been visible and delivered again.
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Empty((await harness.Raw.PeekMessagesAsync(maxMessages: 32)).Value);
        Assert.Single(harness.Probe.Started);

        harness.Probe.Gate.Release();
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Raw) == 0, "message deleted after its renewed lease");
        Assert.Single(harness.Probe.Started);
    }

    [Fact]
    public async Task A_handler_past_host_json_functionTimeout_is_cancelled_and_counts_as_a_failed_delivery()
    {
        var settings = new Dictionary<string, string>(FastRetries) { ["AzureFunctionsJobHost:functionTimeout"] = "00:00:00.300" };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(azurite.ConnectionString, "timeout", settings);
        await harness.SendAsync(new TestMessage("slow", 1));

        await harness.Probe.WaitUntilAsync(p => p.Cancelled.Count == 3);
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1, "poison message");

        Assert.Empty(harness.Probe.Completed);
        var reason = Assert.Single(await harness.PeekPoisonAsync()).GetProperty("reason").GetString();
        Assert.Contains("delivery 3 of 3", reason, StringComparison.Ordinal);
        Assert.Contains("TimeoutException: functionTimeout 00:00:00.3000000 exceeded", reason, StringComparison.Ordinal);
    }
}
