using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>The ProcessOrder queue function of the Host: duplicate messages, any order, and poison.</summary>
public sealed class OrderQueueTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task With_every_message_in_the_queue_twice_each_order_is_reserved_charged_and_emailed_once()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("BEANS", 1000);
        await orders.SeedAsync("CUP", 1000);
        var queue = new QueueClient(fixture.Azurite.ConnectionString, orders.Options.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var lines = i % 2 == 0 ? new[] { (orders.Sku("BEANS"), 1), (orders.Sku("CUP"), 2) } : [(orders.Sku("CUP"), 1)];
            using var accepted = await orders.PostAsync(OrdersHarness.Body(SandboxPaymentGateway.Visa, lines));
            var id = await OrdersHarness.OrderIdOfAsync(accepted);
            ids.Add(id);

            // The copy lands in the same batch as the original, so the two deliveries race.
            await queue.SendMessageAsync(JsonSerializer.Serialize(new OrderMessage(id), JobJson.Options));
        }

        foreach (var id in ids)
        {
            Assert.Equal(OrderStatus.Completed, (await orders.WaitForTerminalAsync(id)).Status);
        }

        Assert.Equal(1000 - 10, await orders.AvailableAsync("BEANS"));
        Assert.Equal(1000 - 30, await orders.AvailableAsync("CUP"));
        foreach (var id in ids)
        {
            Assert.Single(await orders.ChargesAsync(id));
            Assert.Single(await orders.MailsAsync(id));
        }

        await QueueHarness.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "all 40 messages deleted");
    }

    [Fact]
    public async Task Poison_order_messages_end_in_poison_with_their_reason_while_good_orders_flow()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("KETTLE", 10);
        var raw = new QueueClient(fixture.Azurite.ConnectionString, orders.Options.QueueName);
        var poison = new QueueClient(fixture.Azurite.ConnectionString, PoisonQueue.NameFor(orders.Options.QueueName));
        string[] bad =
        [
            "not base64 at all!",
            Convert.ToBase64String("{ not json"u8.ToArray()),
            Convert.ToBase64String("""{ "somethingElse": 1 }"""u8.ToArray()),
            Convert.ToBase64String("""{ "orderId": "20260101-00000000000000000000" }"""u8.ToArray()),
            Convert.ToBase64String("""{ "orderId": "DROP TABLE" }"""u8.ToArray()),
        ];
        foreach (var body in bad)
        {
            await raw.SendMessageAsync(body);
        }

        using var accepted = await orders.PostAsync(OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("KETTLE"), 1)));
        var good = await OrdersHarness.OrderIdOfAsync(accepted);

        Assert.Equal(OrderStatus.Completed, (await orders.WaitForTerminalAsync(good)).Status);
        await QueueHarness.EventuallyAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync(32)).Value.Length == bad.Length, "every bad message in poison");
        Assert.Equal(bad.Order(), (await poison.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).Order());

        using var peek = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Get, $"/admin/queues/{orders.Options.QueueName}/poison", TestHost.MasterKey));
        var reasons = (await peek.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("reason").GetString()!).ToList();
        Assert.Contains(reasons, r => r.Contains("not base64", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("not valid JSON for OrderMessage", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("order 20260101-00000000000000000000 does not exist", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("'DROP TABLE' is not an order id", StringComparison.Ordinal));
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r)));
    }
}
