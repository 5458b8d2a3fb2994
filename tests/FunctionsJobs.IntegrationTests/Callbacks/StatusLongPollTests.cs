using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.IntegrationTests.Orders;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.IntegrationTests.Callbacks;

/// <summary><c>Prefer: wait=N</c> on the status routes of the real Host.</summary>
public sealed class StatusLongPollTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_waiting_GET_answers_within_a_second_of_the_workflow_s_first_change()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        var orderId = await AcceptedOrderAsync(harness);
        var watch = harness.Host.Services.GetRequiredService<StatusWatch<Order>>();

        var waiting = harness.GetAsync($"/api/orders/{orderId}", "wait=20");
        await QueueHarness.EventuallyAsync(() => Task.FromResult(watch.Waiting == 1), "the GET waiting for a change", Patience);
        await harness.Orders.Workflow().HandleAsync(new OrderMessage(orderId), OrdersHarness.Delivery(), default);
        using var answer = await waiting;
        var answeredAt = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("wait=20", answer.Headers.GetValues("Preference-Applied").Single());
        var view = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual("Accepted", view.GetProperty("status").GetString());
        var reserved = view.GetProperty("history").EnumerateArray().First(h => h.GetProperty("step").GetString() == "ReserveStock").GetProperty("at").GetDateTimeOffset();
        Assert.True(answeredAt - reserved < TimeSpan.FromSeconds(1), $"answered {answeredAt - reserved} after the change");
    }

    [Fact]
    public async Task A_change_written_by_another_process_is_seen_by_the_watcher_s_next_read()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        var orderId = await AcceptedOrderAsync(harness);
        var watch = harness.Host.Services.GetRequiredService<StatusWatch<Order>>();
        var waiting = harness.GetAsync($"/api/orders/{orderId}", "wait=25");
        await QueueHarness.EventuallyAsync(() => Task.FromResult(watch.Waiting == 1), "the GET waiting for a change", Patience);

        // Another instance's workflow: a plain table write, nothing published in this process.
        var table = new TableClient(fixture.Azurite.ConnectionString, harness.Orders.Options.OrdersTableName);
        var row = (await table.GetEntityAsync<TableEntity>(OrderPartitions.PartitionKeyOf(orderId), orderId)).Value;
        row["Status"] = nameof(OrderStatus.StockReserved);
        var clock = Stopwatch.StartNew();
        await table.UpdateEntityAsync(row, row.ETag);
        using var answer = await waiting;

        Assert.Equal("StockReserved", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed}: the wait ran out instead");
    }

    [Fact]
    public async Task Unchanged_it_answers_after_the_wait_and_twenty_waiters_read_storage_about_once_a_second_between_them()
    {
        var counter = new OrderReads();
        await using var harness = await CallbacksHarness.StartAsync(fixture, configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton(
            StorageAccount.FromConfiguration(builder.Configuration, configureClients: o => o.AddPolicy(counter, HttpPipelinePosition.PerCall)))));
        var orderId = await AcceptedOrderAsync(harness);
        counter.OrderId = orderId;

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => harness.GetAsync($"/api/orders/{orderId}", "wait=3")));
        var elapsed = clock.Elapsed;

        foreach (var answer in answers)
        {
            using (answer)
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                Assert.Equal("wait=3", answer.Headers.GetValues("Preference-Applied").Single());
                Assert.Equal("Accepted", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            }
        }

        Assert.True(elapsed >= TimeSpan.FromSeconds(3), $"{elapsed}");

        // One read to start and about one a second after (the watcher's last read may land as the waits end).
        Assert.InRange(counter.Reads, 1, (int)Math.Ceiling(elapsed.TotalSeconds) + 2);
        using var plain = await harness.GetAsync($"/api/orders/{orderId}");
        Assert.False(plain.Headers.Contains("Preference-Applied"));
    }

    [Fact]
    public async Task An_image_s_status_can_be_waited_on_and_its_callback_is_posted_when_it_is_done()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture);
        using var upload = harness.Host.Request(HttpMethod.Post, "/api/images", TestHost.FunctionKey);
        upload.Content = new ByteArrayContent(TestImages.Jpeg(64, 48));
        upload.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        CallbacksHarness.AddHeaders(upload, harness.Receiver.Url("/images"), null, "upload-1");
        using var accepted = await harness.Host.Http.SendAsync(upload);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var imageId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        string? status = null;
        for (var polls = 0; status != "Done" && polls < 10; polls++)
        {
            using var answer = await harness.GetAsync($"/api/images/{imageId}", "wait=10");
            Assert.Equal("wait=10", answer.Headers.GetValues("Preference-Applied").Single());
            status = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
        }

        Assert.Equal("Done", status);
        await harness.Receiver.WaitUntilAsync(r => r.Any(x => x.ResourceId == imageId), Patience);
        var posted = Assert.Single(harness.Receiver.Received);
        Assert.Equal(("image.done", "Done", "upload-1", null as string), (posted.Type, posted.Status, posted.CorrelationId, posted.Problem));
        Assert.EndsWith($"/api/images/{imageId}", posted.StatusUrl, StringComparison.Ordinal);
    }

    /// <summary>An order stored Accepted whose message nobody delivers: it changes only when the test says.</summary>
    private static async Task<string> AcceptedOrderAsync(CallbacksHarness harness)
    {
        var sku = $"LP{Guid.NewGuid():N}"[..10].ToUpperInvariant();
        await harness.Orders.SeedAsync(sku, 5);
        return await harness.Orders.AcceptAsync(SandboxPaymentGateway.Visa, (harness.Orders.Sku(sku), 1));
    }

    /// <summary>Counts the point reads of one order's row, whoever makes them.</summary>
    private sealed class OrderReads : HttpPipelineSynchronousPolicy
    {
        private int _reads;

        public string? OrderId { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public override void OnSendingRequest(HttpMessage message)
        {
            if (OrderId is { } id && message.Request.Method == RequestMethod.Get && message.Request.Uri.ToString().Contains($"RowKey='{id}'", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _reads);
            }
        }
    }
}
