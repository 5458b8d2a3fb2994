using FunctionsJobs.Core.Orders;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>Many orders for one SKU at once: every reservation is a conditional write of the same stock row.</summary>
public sealed class HotSkuTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    private const int Orders = 200;

    [Fact]
    public async Task Two_hundred_orders_for_one_sku_at_once_all_complete_on_their_first_delivery()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("HOT", 1000);
        var ids = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            ids.Add(await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("HOT"), 2)));
        }

        // Every delivery at once, each in its own scope as the queue listener runs them.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = ids.Select(async id =>
        {
            await start.Task;
            await orders.Workflow().HandleAsync(new OrderMessage(id), OrdersHarness.Delivery(1), default);
        }).ToList();
        start.SetResult();
        await Task.WhenAll(deliveries);

        foreach (var id in ids)
        {
            var order = await orders.OrderAsync(id);
            Assert.True(order.Status == OrderStatus.Completed, $"order {id} is {order.Status}: {order.Reason}");
        }

        Assert.Equal(1000 - (2 * Orders), await orders.AvailableAsync("HOT"));
        var mails = (await fixture.Mail.MessagesAsync()).Where(m => ids.Contains(m.OrderId!)).ToList();
        Assert.Equal(Orders, mails.Count);
        Assert.Equal(Orders, mails.Select(m => m.OrderId).Distinct().Count());
    }

    [Fact]
    public async Task Two_hundred_orders_for_one_sku_queued_for_three_host_processes_all_complete_on_their_first_delivery()
    {
        var folder = Directory.CreateTempSubdirectory("functionsjobs-hot-").FullName;
        try
        {
            var inventory = new Azure.Data.Tables.TableClient(fixture.Azurite.ConnectionString, "Inventory");
            await inventory.CreateIfNotExistsAsync();
            await inventory.AddEntityAsync(new Azure.Data.Tables.TableEntity("HOT-3", InventoryStore.StockRowKey) { ["Name"] = "HOT-3", ["UnitPriceCents"] = 500L, ["Available"] = 1000 });

            // Queued before the replicas start: each takes a full batch at once, all for the one SKU.
            var ids = await OrderBacklog.QueueAsync(fixture.Azurite.ConnectionString, "Orders", "orders", Orders, new OrderLine("HOT-3", 1, 500), SandboxPaymentGateway.Visa);
            await using var replicas = await HostReplicas.StartAsync(folder, fixture.Azurite, fixture.Mail, 3);
            var stored = await HostReplicas.WaitUntilAllTerminalAsync(fixture.Azurite, Orders);

            Assert.Equal(ids.Order(), stored.Keys.Order());
            Assert.All(stored.Values, o => Assert.True(o.Status == OrderStatus.Completed, $"order {o.Id} is {o.Status}: {o.Reason}"));

            // No delivery lost its reservation to a race and came back: every step is the first delivery's.
            Assert.All(stored.Values, o => Assert.All(o.History.Skip(1), h => Assert.True(h.Attempt == 1, $"order {o.Id}: {h.Step} on delivery {h.Attempt}")));
            var stock = (await inventory.GetEntityAsync<Azure.Data.Tables.TableEntity>("HOT-3", InventoryStore.StockRowKey)).Value;
            Assert.Equal(1000 - Orders, stock.GetInt32("Available"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
