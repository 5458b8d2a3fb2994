using System.Net;
using FunctionsJobs.Core.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>OrdersSeedInventory: the README's first order works on a fresh emulator, and a restart keeps sold stock.</summary>
public sealed class InventorySeedTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task The_sample_catalogue_is_seeded_once_so_the_readme_order_completes_and_a_restart_keeps_sold_stock()
    {
        var seed = new Dictionary<string, string> { [OrdersSettings.SeedInventory] = "true" };
        Dictionary<string, string> tables;
        await using (var first = await OrdersHarness.StartAsync(fixture, seed))
        {
            using var accepted = await first.PostRawAsync(
                """{ "customerEmail": "ada@example.com", "items": [ { "sku": "COFFEE-1KG", "quantity": 2 }, { "sku": "ESPRESSO-CUP", "quantity": 4 } ], "paymentToken": "tok_visa" }""",
                "application/json");
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var id = await OrdersHarness.OrderIdOfAsync(accepted);
            Assert.Equal(OrderStatus.Completed, (await first.WaitForTerminalAsync(id)).Status);

            using var rejected = await first.PostRawAsync(
                """{ "customerEmail": "ada@example.com", "items": [ { "sku": "LIMITED-MUG", "quantity": 4 } ], "paymentToken": "tok_visa" }""", "application/json");
            Assert.Equal(OrderStatus.Rejected, (await first.WaitForTerminalAsync(await OrdersHarness.OrderIdOfAsync(rejected))).Status);
            tables = new Dictionary<string, string>(seed)
            {
                [OrdersSettings.QueueName] = first.Options.QueueName,
                [OrdersSettings.OrdersTable] = first.Options.OrdersTableName,
                [OrdersSettings.InventoryTable] = first.Options.InventoryTableName,
                [OrdersSettings.PaymentsTable] = first.Options.PaymentsTableName,
                [OrdersSettings.OutboxTable] = first.Options.OutboxTableName,
            };
        }

        await using var second = await OrdersHarness.StartAsync(fixture, tables);
        var inventory = second.Host.Services.GetRequiredService<InventoryStore>();

        Assert.Equal(1000 - 2, (await inventory.GetItemAsync("COFFEE-1KG", default))!.Available);
        Assert.Equal(500 - 4, (await inventory.GetItemAsync("ESPRESSO-CUP", default))!.Available);
        foreach (var sample in OrderCatalog.Samples.Where(s => s.Sku is not "COFFEE-1KG" and not "ESPRESSO-CUP"))
        {
            Assert.Equal(sample, await inventory.GetItemAsync(sample.Sku, default));
        }
    }
}
