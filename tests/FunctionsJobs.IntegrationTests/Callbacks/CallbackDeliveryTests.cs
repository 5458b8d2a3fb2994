using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.IntegrationTests.Orders;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Callbacks;

/// <summary>Orders placed with a Callback-Url or a Reply-To on the real Host, delivered to a real receiver that verifies each request.</summary>
public sealed class CallbackDeliveryTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_completed_and_a_failed_order_are_each_posted_once_signed_with_status_reason_link_and_correlation_id()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);

        var completed = await harness.PlaceOrderIdAsync(callbackUrl: harness.Receiver.Url(), correlationId: "cart-42");
        var declined = await harness.PlaceOrderIdAsync(SandboxPaymentGateway.Decline, callbackUrl: harness.Receiver.Url());
        await harness.Receiver.WaitUntilAsync(r => r.Count(x => x.Answer == 200) >= 2, Patience);

        var events = harness.Receiver.Received.ToDictionary(r => r.ResourceId!);
        Assert.All(events.Values, e => Assert.Null(e.Problem));
        Assert.Equal(2, events.Count);
        Assert.Equal(("order.completed", "Completed", "cart-42"), (events[completed].Type, events[completed].Status, events[completed].CorrelationId));
        Assert.Equal($"{harness.Host.Http.BaseAddress!.ToString().TrimEnd('/')}/api/orders/{completed}", events[completed].StatusUrl);
        Assert.Equal(("order.failed", "Failed"), (events[declined].Type, events[declined].Status));
        Assert.Contains("declined", events[declined].Body!.Value.GetProperty("data").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(CallbackEvent.IdOf(OrderCallbacks.Kind, completed, "Completed"), events[completed].EventId);

        // The event is of the stored state: the order was terminal before it was announced.
        Assert.True((await harness.Orders.OrderAsync(completed)).UpdatedAt <= events[completed].At);
    }

    [Fact]
    public async Task A_receiver_answering_500_then_timing_out_then_refusing_gets_the_same_event_again_after_growing_waits()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        var refusing = LoopbackPorts.Free(1)[0];

        // Try 1: 500; try 2: no answer within CallbacksTimeout (2 s), so the sender hangs up; try 3: 200.
        harness.Receiver.Respond = async (_, before, hungUp) =>
        {
            switch (before)
            {
                case 0:
                    return 500;
                case 1:
                    await Task.Delay(TimeSpan.FromMinutes(1), hungUp);
                    return 200;
                default:
                    return 200;
            }
        };
        var orderId = await harness.PlaceOrderIdAsync(callbackUrl: harness.Receiver.Url());
        await harness.Receiver.WaitUntilAsync(r => r.Any(x => x.Answer == 200 && x.ResourceId == orderId), Patience);

        var tries = harness.Receiver.Received.Where(r => r.ResourceId == orderId).OrderBy(r => r.At).ToList();
        Assert.Equal([500, -1, 200], tries.Select(t => t.Answer));
        Assert.Single(tries.Select(t => t.EventId).Distinct());
        Assert.Single(tries.Select(t => t.Body!.Value.GetRawText()).Distinct());
        Assert.All(tries, t => Assert.Null(t.Problem));
        var retries = harness.Host.Logs.Entries.Where(e => e.Message.Contains($"try ", StringComparison.Ordinal) && e.Message.Contains("failed", StringComparison.Ordinal)).ToList();
        Assert.Contains(retries, e => e.Message.Contains("500", StringComparison.Ordinal));
        Assert.Contains(retries, e => e.Message.Contains("no answer within", StringComparison.Ordinal));

        // Connection refused: nothing listens on the port. The event is retried with waits that grow.
        var refusedOrder = await harness.PlaceOrderIdAsync(callbackUrl: $"http://127.0.0.1:{refusing}/hooks");
        var delays = new List<TimeSpan>();
        await QueueHarness.EventuallyAsync(
            () =>
            {
                delays = [.. harness.Host.Logs.Entries.Where(e => e.Message.Contains($":{refusing}/hooks", StringComparison.Ordinal) && e.Fields.ContainsKey("Delay")).Select(e => (TimeSpan)e.Fields["Delay"]!)];
                return Task.FromResult(delays.Count >= 3);
            },
            "three refused tries",
            Patience);
        Assert.True(delays[2] > delays[0], string.Join(", ", delays));
        Assert.Equal(OrderStatus.Completed, (await harness.Orders.OrderAsync(refusedOrder)).Status);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failed_try()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        harness.Receiver.Respond = (_, before, _) => Task.FromResult(before < 2 ? 302 : 200);

        var orderId = await harness.PlaceOrderIdAsync(callbackUrl: harness.Receiver.Url());
        await harness.Receiver.WaitUntilAsync(r => r.Any(x => x.Answer == 200 && x.ResourceId == orderId), Patience);

        Assert.Equal([302, 302, 200], harness.Receiver.Received.Where(r => r.ResourceId == orderId).OrderBy(r => r.At).Select(r => r.Answer));
        Assert.DoesNotContain(harness.Receiver.Received, r => r.Problem == "followed a redirect");
        Assert.Contains(harness.Host.Logs.Entries, e => e.Message.Contains("redirects are not followed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_failing_past_CallbacksMaxAge_is_dead_lettered_listed_under_admin_and_replayed_once_the_receiver_is_back()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture, new Dictionary<string, string> { [CallbackSettings.MaxAgeSetting] = "00:00:03" });
        harness.Receiver.Respond = (_, _, _) => Task.FromResult(503);

        var orderId = await harness.PlaceOrderIdAsync(callbackUrl: harness.Receiver.Url("/hooks?token=secret-in-query"));
        var eventId = CallbackEvent.IdOf(OrderCallbacks.Kind, orderId, "Completed");
        List<JsonElement> listed = [];
        await QueueHarness.EventuallyAsync(
            async () =>
            {
                using var response = await harness.Host.Http.SendAsync(harness.Host.Request(HttpMethod.Get, "/admin/callbacks/dead-letters", TestHost.MasterKey));
                listed = [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
                return listed.Count > 0;
            },
            "a dead letter",
            Patience);

        var deadLetter = Assert.Single(listed);
        Assert.Equal(eventId, deadLetter.GetProperty("eventId").GetString());
        Assert.Equal(orderId, deadLetter.GetProperty("resourceId").GetString());
        Assert.Contains("503", deadLetter.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-in-query", deadLetter.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.True(deadLetter.GetProperty("attempts").GetInt32() >= 2);
        using (var unkeyed = await harness.Host.Http.SendAsync(harness.Host.Request(HttpMethod.Get, "/admin/callbacks/dead-letters", TestHost.FunctionKey)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unkeyed.StatusCode);
        }

        harness.Receiver.Respond = (_, _, _) => Task.FromResult(200);
        using var replay = await harness.Host.Http.SendAsync(harness.Host.Request(HttpMethod.Post, $"/admin/callbacks/dead-letters/{eventId}/replay", TestHost.MasterKey));
        using var again = await harness.Host.Http.SendAsync(harness.Host.Request(HttpMethod.Post, $"/admin/callbacks/dead-letters/{eventId}/replay", TestHost.MasterKey));
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        await harness.Receiver.WaitUntilAsync(r => r.Any(x => x.EventId == eventId && x.Answer == 200), Patience);
        Assert.Equal("/hooks?token=secret-in-query", harness.Receiver.Received.Last(r => r.EventId == eventId).PathAndQuery);
    }

    [Fact]
    public async Task The_retention_clean_up_removes_dead_letters_older_than_their_retention_and_keeps_newer_ones()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture, new Dictionary<string, string> { [CallbackSettings.MaxAgeSetting] = "00:00:02" });
        harness.Receiver.Respond = (_, _, _) => Task.FromResult(503);
        var orderId = await harness.PlaceOrderIdAsync(callbackUrl: harness.Receiver.Url());
        var deadLetters = harness.Host.Services.GetRequiredService<CallbackDeadLetters>();
        await QueueHarness.EventuallyAsync(async () => (await deadLetters.ListAsync(10, CancellationToken.None)).Count > 0, "a dead letter", Patience);
        var retention = harness.Host.Services.GetServices<IRetentionSource>().OfType<CallbackDeadLettersRetention>().Single();

        // A cutoff before it was given up on keeps it; one after removes it.
        Assert.Equal(0, await retention.PurgeAsync(DateTimeOffset.UtcNow.AddDays(-1), new JobProgress(), CancellationToken.None));
        Assert.Single(await deadLetters.ListAsync(10, CancellationToken.None), d => d.ResourceId == orderId);
        Assert.Equal(1, await retention.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), new JobProgress(), CancellationToken.None));
        Assert.Empty(await deadLetters.ListAsync(10, CancellationToken.None));
        Assert.Equal(TimeSpan.FromDays(CallbackSettings.DefaultDeadLettersRetentionDays), retention.Retention);
    }

    [Fact]
    public async Task A_hanging_receiver_holds_neither_the_workflow_nor_another_receiver_s_events()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture, new Dictionary<string, string>
        {
            [CallbackSettings.TimeoutSetting] = "00:00:30",
            [CallbackSettings.MaxConcurrentPerHostSetting] = "2",
        });
        await using var other = await CallbackReceiver.StartAsync(CallbacksHarness.Secret);
        var hanging = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        harness.Receiver.Respond = async (_, _, hungUp) =>
        {
            Interlocked.Increment(ref inFlight);
            try
            {
                return await hanging.Task.WaitAsync(hungUp);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        };

        var slow = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            slow.Add(await harness.PlaceOrderIdAsync(callbackUrl: harness.Receiver.Url()));
        }

        foreach (var id in slow)
        {
            await harness.Orders.WaitForTerminalAsync(id, Patience);
        }

        var fast = await harness.PlaceOrderIdAsync(callbackUrl: other.Url());
        await other.WaitUntilAsync(r => r.Any(x => x.ResourceId == fast && x.Answer == 200), Patience);

        // Delivered while tries to the hanging receiver (never more than its 2 slots) were waiting
        // for an answer, and well within one try's time of the order's end: nothing queued behind them.
        Assert.InRange(Volatile.Read(ref inFlight), 1, 2);
        var fastOrder = await harness.Orders.OrderAsync(fast);
        Assert.True(other.Received.First().At - fastOrder.UpdatedAt < harness.Settings.Timeout, $"{other.Received.First().At - fastOrder.UpdatedAt}");
        Assert.DoesNotContain(harness.Receiver.Received, r => r.Answer == 200);
        hanging.SetResult(200);
        await harness.Receiver.WaitUntilAsync(r => slow.All(id => r.Any(x => x.ResourceId == id && x.Answer == 200)), Patience);
    }

    [Fact]
    public async Task A_reply_queue_gets_the_event_with_the_correlation_id_once_the_caller_has_created_it()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        var queueName = $"reply-{Guid.NewGuid():N}"[..30];
        var queue = new QueueClient(fixture.Azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

        var orderId = await harness.PlaceOrderIdAsync(replyTo: queueName, correlationId: "erp-7");
        await QueueHarness.EventuallyAsync(
            () => Task.FromResult(harness.Host.Logs.Entries.Any(e => e.Message.Contains($"reply queue {queueName} does not exist", StringComparison.Ordinal))),
            "a try on the missing queue",
            Patience);
        await queue.CreateAsync();

        JsonElement? reply = null;
        await QueueHarness.EventuallyAsync(
            async () =>
            {
                var messages = (await queue.ReceiveMessagesAsync(32)).Value;
                reply = messages.Select(m => (JsonElement?)JsonDocument.Parse(m.Body.ToString()).RootElement.Clone()).FirstOrDefault();
                return reply is not null;
            },
            "the reply",
            Patience);
        Assert.Equal("order.completed", reply!.Value.GetProperty("type").GetString());
        Assert.Equal(orderId, reply.Value.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("erp-7", reply.Value.GetProperty("correlationId").GetString());
        Assert.Equal(CallbackEvent.IdOf(OrderCallbacks.Kind, orderId, "Completed"), reply.Value.GetProperty("id").GetString());
    }

    [Fact]
    public async Task DeliverCallback_delivered_twice_posts_one_event_id_with_one_body_and_queues_nothing_more()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        var orderId = await harness.PlaceOrderIdAsync();
        var order = await harness.Orders.WaitForTerminalAsync(orderId, Patience);
        var target = new CallbackTarget(harness.Receiver.Url(), null, "dup", "http://shop");
        var callbackEvent = CallbackEvent.Of(OrderCallbacks.Kind, orderId, "Completed", "Completed", null, $"/api/orders/{orderId}", target, order.UpdatedAt);

        // Not committed: the handler reads the order to see that it is stored Completed, on each delivery.
        var message = new CallbackMessage(callbackEvent, target, new CallbackResource(OrderCallbacks.Kind, orderId, "Completed"), false, 1, DateTimeOffset.UtcNow.AddMinutes(5));
        await DuplicateDelivery.DeliverTwiceAsync(harness.Delivery(), message);
        await DuplicateDelivery.DeliverRacingAsync(harness.Delivery(), harness.Delivery(), message with { Committed = true });

        var got = harness.Receiver.Received.Where(r => r.ResourceId == orderId).ToList();
        Assert.Equal(4, got.Count);
        Assert.Single(got.Select(r => r.EventId).Distinct());
        Assert.Single(got.Select(r => r.Body!.Value.GetRawText()).Distinct());
        Assert.All(got, r => Assert.Null(r.Problem));
        var queue = harness.Host.Services.GetRequiredService<Core.Storage.StorageAccount>().Queues.GetQueueClient(harness.Settings.QueueName);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task An_event_staged_for_a_state_never_stored_is_dropped_and_one_whose_state_was_stored_is_delivered_after_its_hiding()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        var outbox = harness.Host.Services.GetRequiredService<CallbackOutbox>();
        var target = new CallbackTarget(harness.Receiver.Url(), null, null, "http://shop");

        // A process that staged Completed and died before its checkpoint: the order ended otherwise.
        var declined = await harness.PlaceOrderIdAsync(SandboxPaymentGateway.Decline);
        var completed = await harness.PlaceOrderIdAsync();
        await harness.Orders.WaitForTerminalAsync(declined, Patience);
        await harness.Orders.WaitForTerminalAsync(completed, Patience);
        foreach (var id in new[] { declined, completed })
        {
            var never = CallbackEvent.Of(OrderCallbacks.Kind, id, "Completed", "Completed", null, $"/api/orders/{id}", target, DateTimeOffset.UtcNow);
            Assert.NotNull(await outbox.StageAsync(target, new CallbackResource(OrderCallbacks.Kind, id, "Completed"), never, default));
        }

        await harness.Receiver.WaitUntilAsync(r => r.Any(x => x.ResourceId == completed), Patience);
        await harness.Host.Logs.WaitForAsync(e => e.Message.Contains($"order {declined} was not stored as Completed", StringComparison.Ordinal), Patience);
        Assert.DoesNotContain(harness.Receiver.Received, r => r.ResourceId == declined);
        Assert.Contains(harness.Host.Logs.Entries, e => e.Message.Contains("its writer did not release it", StringComparison.Ordinal));
    }
}
