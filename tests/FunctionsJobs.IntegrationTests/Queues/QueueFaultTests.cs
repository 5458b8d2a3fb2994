using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>
/// Faults of the queue trigger, with <see cref="StorageFaultProxy"/> between the Host and Azurite: a
/// handler that ignores functionTimeout, lease renewals that do not answer or are refused, Tables or a
/// delete failing during a poison move, a poison replay whose sends are slow. Nothing accepted is
/// lost, poison never collects duplicates, and the listener goes on.
/// </summary>
public sealed class QueueFaultTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string> OneDelivery = new()
    {
        ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1",

        // Short, so a message comes back soon, but long enough for a renewal on a loaded machine.
        ["FunctionsJobs:QueueMessageLease"] = "00:00:06",
    };

    [Fact]
    public async Task A_handler_that_ignores_functionTimeout_is_abandoned_its_slot_freed_and_its_message_delivered_again_then_poisoned()
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureFunctionsJobHost:functionTimeout"] = "00:00:00.500",
            ["FunctionsJobs:FunctionTimeoutGrace"] = "00:00:00.500",
            ["FunctionsJobs:QueueMessageLease"] = "00:00:03",
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "1",
            ["AzureFunctionsJobHost:extensions:queues:newBatchThreshold"] = "0",
        };
        await using var harness = await QueueHarness.StartAsync<IgnoringHandler, TestMessage>(azurite.ConnectionString, "ignores", settings);
        try
        {
            await harness.SendAsync(new TestMessage("stuck", -1));
            await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);
            await harness.SendAsync(new TestMessage("next", 1));

            // With one slot, the next message is handled only once the stuck handler was abandoned.
            await harness.Probe.WaitUntilAsync(p => p.Completed.Any(c => c.Payload == "next"), TimeSpan.FromSeconds(30));
            var abandoned = await harness.Host.Logs.WaitForAsync(e => e.Level == LogLevel.Error && e.Message.Contains("abandoned", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            Assert.Equal(harness.QueueName, abandoned.Fields["QueueName"]);

            // Not made visible at once (the handler may still be at work) and not renewed either: it comes
            // back when its lease runs out, and its last delivery goes to poison.
            await harness.Probe.WaitUntilAsync(p => p.Started.Count(s => s.Payload == "stuck") == 2, TimeSpan.FromSeconds(30));
            await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1 && await harness.ApproximateCountAsync(harness.Raw) == 0, "stuck message in poison");

            Assert.Equal([1L, 2L], harness.Probe.Started.Where(s => s.Payload == "stuck").Select(s => s.Context.DequeueCount).Order());
            Assert.DoesNotContain(harness.Probe.Completed, c => c.Payload == "stuck");
            var reason = Assert.Single(await harness.PeekPoisonAsync()).GetProperty("reason").GetString();
            Assert.Contains("functionTimeout 00:00:00.5000000 exceeded", reason, StringComparison.Ordinal);
            Assert.Contains("abandoned", reason, StringComparison.Ordinal);
        }
        finally
        {
            harness.Probe.Gate.Release(10);
        }
    }

    [Fact]
    public async Task A_lease_renewal_that_does_not_answer_is_given_up_and_retried_while_the_lease_holds()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        var settings = new Dictionary<string, string> { ["FunctionsJobs:QueueMessageLease"] = "00:00:12" };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(proxy.ConnectionString, "renewhang", settings);
        using var hangOnce = proxy.Inject(r => r.IsUpdateIn(harness.QueueName), StorageFault.Hang, times: 1);
        await harness.SendAsync(new TestMessage("long", 1));
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);

        // The hung renewal, its retry, and the renewal after that one: the lease was kept.
        await QueueHarness.EventuallyAsync(() => Task.FromResult(proxy.Seen.Count(r => r.IsUpdateIn(harness.QueueName)) >= 3), "three renewals", TimeSpan.FromSeconds(40));

        Assert.Empty((await harness.Raw.PeekMessagesAsync(32)).Value);
        Assert.Single(harness.Probe.Started);
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Message.Contains("lost the lease", StringComparison.Ordinal));
        harness.Probe.Gate.Release();
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Raw) == 0, "message deleted");
    }

    [Fact]
    public async Task A_message_whose_lease_renewal_was_refused_is_not_settled_with_a_stale_pop_receipt()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = await QueueHarness.StartAsync<BlockThenFailHandler, TestMessage>(proxy.ConnectionString, "stale", OneDelivery);

        // The renewal reaches storage, which gives the message a new pop receipt, but its answer is
        // lost; the retry with the old receipt is refused.
        using var lostAnswer = proxy.Inject(r => r.IsUpdateIn(harness.QueueName), StorageFault.LoseResponse(), times: 1);
        var sent = (await harness.Base64.SendMessageAsync(JsonSerializer.Serialize(new TestMessage("stale", 1), JobJson.Options))).Value;
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        await harness.Host.Logs.WaitForAsync(e => e.Level >= LogLevel.Warning && e.Message.Contains($"lease of message {sent.MessageId}", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        // The handler fails on its only delivery: with a stale receipt a move to poison could copy but
        // not delete, and the message would come back to be copied again.
        harness.Probe.Gate.Release();
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length >= 1 && await harness.ApproximateCountAsync(harness.Raw) == 0, "message in poison", TimeSpan.FromSeconds(40));

        Assert.Single(await harness.PoisonMessagesAsync());
        Assert.Contains("exceeds maxDequeueCount 1", Assert.Single(await harness.PeekPoisonAsync()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tables_down_during_a_poison_move_leave_one_copy_in_poison_the_reason_logged_and_the_listener_serving()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(proxy.ConnectionString, "notables", OneDelivery);
        using (proxy.Inject(r => r.Service == StorageService.Table, StorageFault.Fail(503, "ServerBusy")))
        {
            await harness.SendAsync(new TestMessage("bad", -1));
            await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length >= 1 && await harness.ApproximateCountAsync(harness.Raw) == 0, "message moved to poison", TimeSpan.FromSeconds(60));
            var logged = await harness.Host.Logs.WaitForAsync(e => e.Message.Contains("could not record why", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            Assert.Contains("refusing bad", logged.Message, StringComparison.Ordinal);

            await harness.SendAsync(new TestMessage("good", 1));
            await harness.Probe.WaitUntilAsync(p => p.Completed.Any(c => c.Payload == "good"));
        }

        Assert.Single(await harness.PoisonMessagesAsync());
        Assert.Equal(0, await harness.ApproximateCountAsync(harness.Raw));
    }

    [Fact]
    public async Task A_delete_that_fails_after_the_copy_to_poison_takes_the_copy_back_so_poison_gets_one_copy()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(proxy.ConnectionString, "nodelete", OneDelivery);
        var sent = (await harness.Base64.SendMessageAsync(JsonSerializer.Serialize(new TestMessage("bad", -1), JobJson.Options))).Value;
        using (proxy.Inject(r => r.IsDeleteIn(harness.QueueName), StorageFault.Fail(500, "InternalError")))
        {
            await harness.Probe.WaitUntilAsync(p => p.Failed == 1);
            await harness.Host.Logs.WaitForAsync(
                e => e.Level >= LogLevel.Warning && e.Message.Contains(sent.MessageId, StringComparison.Ordinal) && e.Message.Contains("poison", StringComparison.Ordinal),
                TimeSpan.FromSeconds(40));
        }

        // Delivered again once its lease ran out, it is moved for good.
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Raw) == 0 && (await harness.PoisonMessagesAsync()).Length >= 1, "message moved to poison", TimeSpan.FromSeconds(40));
        Assert.Single(await harness.PoisonMessagesAsync());
        Assert.Single(await harness.PeekPoisonAsync());
    }

    [Fact]
    public async Task Tables_down_during_a_poison_replay_still_move_the_message_back_to_its_queue_once()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(azurite.ConnectionString, "notablesreplay", OneDelivery);
        var body = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage("replayed", -1), JobJson.Options));
        await harness.Raw.SendMessageAsync(body);
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1 && await harness.ApproximateCountAsync(harness.Raw) == 0, "message in poison");
        await harness.Host.StopAsync();

        // The poison message is deleted, then its recorded reason cannot be: the reason is orphaned
        // (the retention clean-up removes it), and the message must not be lost with it.
        await using var admin = await TestHost.StartAsync(proxy.ConnectionString);
        using (proxy.Inject(r => r.Service == StorageService.Table, StorageFault.Fail(503, "ServerBusy")))
        {
            Assert.Equal(1, await QueueHarness.ReplayAsync(admin, harness.QueueName));
        }

        Assert.Empty(await harness.DrainVisibleAsync(harness.Poison));
        Assert.Equal(body, Assert.Single(await harness.DrainVisibleAsync(harness.Raw)).Body.ToString());
    }

    [Fact]
    public async Task A_poison_replay_whose_send_outlasts_the_receive_visibility_leaves_the_message_in_one_queue()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(azurite.ConnectionString, "slowreplay", OneDelivery);
        var body = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage("replayed", -1), JobJson.Options));
        await harness.Raw.SendMessageAsync(body);
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1 && await harness.ApproximateCountAsync(harness.Raw) == 0, "message in poison");
        await harness.Host.StopAsync();

        // The send back takes longer than the minute a replay used to keep the message hidden.
        await using var admin = await TestHost.StartAsync(proxy.ConnectionString, new Dictionary<string, string> { ["FunctionsJobs:QueueMessageLease"] = "00:00:15" });
        using var slow = proxy.Inject(r => r.IsSendTo(harness.QueueName), StorageFault.Delay(TimeSpan.FromSeconds(65)));
        var replay = QueueHarness.ReplayAsync(admin, harness.QueueName);
        await proxy.WaitForAsync(r => r.IsSendTo(harness.QueueName), TimeSpan.FromSeconds(30));

        // Meanwhile another reader of the poison queue (the retention clean-up, another replay) takes
        // whatever it can see, and puts it back afterwards.
        var taken = new List<QueueMessage>();
        while (!replay.IsCompleted)
        {
            taken.AddRange((await harness.Poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value);
            await Task.WhenAny(replay, Task.Delay(250));
        }

        foreach (var message in taken)
        {
            await harness.Poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        Assert.Equal(1, await replay);
        Assert.Empty(taken);
        Assert.Empty(await harness.DrainVisibleAsync(harness.Poison));
        Assert.Equal(body, Assert.Single(await harness.DrainVisibleAsync(harness.Raw)).Body.ToString());
    }
}
